"""The ``[coverage]`` and ``[source_dupe_rates]`` sections: how much of the population each
source system sees, and how many duplicate records it keeps of them."""

from dataclasses import dataclass

from gensample.settings.schema import setting


def _share(default: float, who: str) -> float:
    return setting(default, f"Share (0-1) of people {who}.", minimum=0, maximum=1)


def _rate(default: float, system: str) -> float:
    return setting(default, f"Percent of {system} rows that are duplicates.", minimum=0, maximum=90)


@dataclass(frozen=True)
class CoverageSettings:
    """Share of the population each source system sees, drawn per person and per system, so
    the overlap between systems varies from person to person."""

    pos_customers: float = _share(0.35, "registered at a till (pos_customers)")
    loyalty_members: float = _share(0.25, "in the loyalty program (loyalty_members)")
    email_subscribers: float = _share(0.45, "subscribed to e-mail (email_subscribers)")
    incident_reports: float = _share(0.005, "reporting a store incident (incident_reports)")
    mobile_app: float = _share(0.3, "using the mobile app (mobile_events)")
    store_wifi: float = _share(0.15, "logging in to in-store wifi (wifi_sessions)")


@dataclass(frozen=True)
class SourceDupeRateSettings:
    """Duplicate records each identity-bearing source system keeps of its own people (the
    customer master's rate is ``dupe_rate``)."""

    pos_customers: float = _rate(20.0, "pos_customers")
    loyalty_members: float = _rate(4.0, "loyalty_members")
    email_subscribers: float = _rate(8.0, "email_subscribers")
    incident_reports: float = _rate(25.0, "incident_reports (people reporting again)")
