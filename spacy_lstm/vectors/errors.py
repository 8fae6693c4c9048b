"""The one error type the vector trainer raises for bad input."""


class VectorsInputError(ValueError):
    """Bad input to the vector trainer; the message is one line naming the file."""


class VectorsTrainingError(ValueError):
    """Training went wrong because of a setting (e.g. a diverging loss); one line saying which."""
