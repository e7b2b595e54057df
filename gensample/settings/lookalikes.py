"""The ``[lookalikes]`` section: how many people look like someone they are not."""

from dataclasses import dataclass

from gensample.settings.schema import setting


@dataclass(frozen=True)
class LookalikeSettings:
    """Shares of people in each kind of look-alike group, hard negatives labelled in
    ``truth/entities.csv`` (``relation``, ``lookalike_group``)."""

    twin_share: float = setting(
        0.01,
        "Share (0-1) of people who are twins (same family name, birth date and address).",
        minimum=0,
        maximum=0.5,
    )
    junior_senior_share: float = setting(
        0.01,
        "Share (0-1) of people in a father-son pair of one name and address (Jr, Sr).",
        minimum=0,
        maximum=0.5,
    )
    namesake_share: float = setting(
        0.02,
        "Share (0-1) of people sharing a common name and ZIP code with another.",
        minimum=0,
        maximum=0.5,
    )
