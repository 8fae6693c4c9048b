"""A small team-written Tagalog lexicon and sentence frames for the raw-text sample.

The frames are grammatical Tagalog clauses (actor-focus verb + ang-phrase +
ng-object + sa-location + time, and a few others); the lexicon pairs each verb
with objects that make sense for it. It exists so that the vector trainer has
a few thousand sentences to learn from offline; it is not a corpus of real text.
"""
import random
from typing import Iterator

ACTORS = [
    "si Ana", "si Jose", "si Maria", "si Lito", "si Pedro", "si Carmen", "si Tatay", "si Nanay",
    "ang bata", "ang guro", "ang magsasaka", "ang mangingisda", "ang doktor", "ang estudyante",
    "ang mga bata", "ang mga kapitbahay", "ang lola ko", "ang kapatid ko", "ang tindera", "ang drayber",
    "ako", "siya", "kami", "tayo", "sila", "kayo",
]
# past, present, future forms and fitting objects
VERBS = [
    (("Kumain", "Kumakain", "Kakain"), ["ng mangga", "ng kanin", "ng isda", "ng tinapay", "ng saging", "ng adobo"]),
    (("Bumili", "Bumibili", "Bibili"), ["ng bigas", "ng gulay", "ng sapatos", "ng libro", "ng gamot", "ng tela"]),
    (("Nagluto", "Nagluluto", "Magluluto"), ["ng sinigang", "ng adobo", "ng pansit", "ng lugaw", "ng tinola"]),
    (("Nagbasa", "Nagbabasa", "Magbabasa"), ["ng libro", "ng pahayagan", "ng liham", "ng tula", "ng kuwento"]),
    (("Sumulat", "Sumusulat", "Susulat"), ["ng liham", "ng tula", "ng ulat", "ng kuwento", "ng awit"]),
    (("Uminom", "Umiinom", "Iinom"), ["ng tubig", "ng kape", "ng gatas", "ng tsaa", "ng buko"]),
    (("Nagtanim", "Nagtatanim", "Magtatanim"), ["ng palay", "ng mais", "ng kamatis", "ng puno", "ng talong"]),
    (("Naglinis", "Naglilinis", "Maglilinis"), ["ng bahay", "ng kusina", "ng bakuran", "ng silid", "ng kotse"]),
    (("Naghanap", "Naghahanap", "Maghahanap"), ["ng trabaho", "ng susi", "ng bahay", "ng pera", "ng kaibigan"]),
    (("Nagdala", "Nagdadala", "Magdadala"), ["ng pagkain", "ng tubig", "ng payong", "ng regalo", "ng prutas"]),
    (("Nagtinda", "Nagtitinda", "Magtitinda"), ["ng gulay", "ng isda", "ng kakanin", "ng damit", "ng prutas"]),
    (("Humuli", "Humuhuli", "Huhuli"), ["ng isda", "ng manok", "ng alimango", "ng hipon"]),
]
PLACES = [
    "sa palengke", "sa bahay", "sa paaralan", "sa bukid", "sa dagat", "sa simbahan", "sa plaza",
    "sa kusina", "sa ilog", "sa tindahan", "sa ospital", "sa Maynila", "sa Cebu", "sa Baguio",
    "sa probinsiya", "sa lungsod", "sa bayan", "sa opisina",
]
TIMES_PAST = ["kahapon", "kanina", "noong Sabado", "noong isang linggo", "kagabi", "kaninang umaga"]
TIMES_PRESENT = ["ngayon", "araw-araw", "tuwing umaga", "tuwing Linggo", "madalas"]
TIMES_FUTURE = ["bukas", "mamaya", "sa Lunes", "sa susunod na linggo", "mamayang gabi"]
ADJ = ["masarap", "malinis", "maganda", "malaki", "maliit", "mainit", "malamig", "mahal", "mura", "bago", "luma", "tahimik", "masaya", "abala"]
THINGS = ["ang pagkain", "ang bahay", "ang palengke", "ang ilog", "ang kape", "ang panahon", "ang bayan", "ang libro", "ang bigas", "ang paaralan", "ang dagat", "ang tinapay"]
INTENS = ["", "napaka", "talagang ", "medyo "]
CONNECT = ["dahil", "kaya", "pero", "at"]


def _clause(rng: random.Random) -> str:
    forms, objects = rng.choice(VERBS)
    tense = rng.randrange(3)
    times = (TIMES_PAST, TIMES_PRESENT, TIMES_FUTURE)[tense]
    parts = [forms[tense], rng.choice(ACTORS), rng.choice(objects)]
    if rng.random() < 0.7:
        parts.append(rng.choice(PLACES))
    if rng.random() < 0.6:
        parts.append(rng.choice(times))
    return " ".join(parts)


def _description(rng: random.Random) -> str:
    adj = rng.choice(ADJ)
    intens = rng.choice(INTENS)
    adj = intens + (adj[2:] if intens == "napaka" and adj.startswith("ma") else adj)
    return f"{adj} {rng.choice(THINGS)}"


def sentences(rng: random.Random, n: int) -> Iterator[str]:
    for _ in range(n):
        kind = rng.random()
        if kind < 0.55:
            text = _clause(rng)
        elif kind < 0.75:
            text = _description(rng)
        else:
            text = f"{_clause(rng)} {rng.choice(CONNECT)} {_description(rng)}"
        end = "?" if kind > 0.95 else "."
        yield text[0].upper() + text[1:] + end


# Review frames for the textcat sample: an aspect, an opinion word, a frame.
ASPECTS = [
    "ang pagkain", "ang serbisyo", "ang kuwarto", "ang kape", "ang tindahan", "ang drayber", "ang guro",
    "ang telepono", "ang sapatos", "ang pelikula", "ang internet", "ang hotel", "ang tinapay", "ang bus",
]
POSITIVE = ["masarap", "mabait", "malinis", "mabilis", "maganda", "sulit", "maayos", "magaling", "komportable", "matibay"]
NEGATIVE = ["matabang", "bastos", "marumi", "mabagal", "pangit", "sayang", "magulo", "palpak", "masikip", "marupok"]
REVIEW_FRAMES = [
    "{adj} {aspect} dito.", "Talagang {adj} {aspect} nila.", "{adj} {aspect} kaya {verdict}.",
    "Para sa akin, {adj} {aspect}.", "Sa totoo lang, {adj} {aspect} ngayon.",
]
VERDICT = {"positibo": ["babalik kami", "irerekomenda ko ito", "masaya kami"],
           "negatibo": ["hindi na kami babalik", "hindi ko ito irerekomenda", "nadismaya kami"]}


def reviews(rng: random.Random, n: int):
    """(text, label) pairs with balanced labels."""
    for i in range(n):
        label = "positibo" if i % 2 == 0 else "negatibo"
        adj = rng.choice(POSITIVE if label == "positibo" else NEGATIVE)
        text = rng.choice(REVIEW_FRAMES).format(adj=adj, aspect=rng.choice(ASPECTS), verdict=rng.choice(VERDICT[label]))
        yield text[0].upper() + text[1:], label
