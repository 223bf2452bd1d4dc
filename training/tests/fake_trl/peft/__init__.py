"""Stand-in for peft's LoraConfig (tests only; see ../README.md)."""


class LoraConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
