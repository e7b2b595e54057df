"""The catalogue of datasets a run can enable, and the rule a chosen list must keep."""

from gensample.errors import BadInputError

DATASET_PARENTS = {
    "stores": (),
    "brands": (),
    "products": ("brands",),
    "customers": (),
    "bundles": ("products",),
    "promotions": ("products", "bundles"),
    "distributors": (),
    "production_batches": ("products",),
    "purchase_orders": ("stores", "products", "distributors"),
    "shipments": ("purchase_orders", "distributors", "stores", "products", "production_batches"),
    "inventory": ("stores", "products"),
    "pos_customers": ("stores",),
    "loyalty_members": ("customers",),
    "email_subscribers": (),
    "incident_reports": ("stores",),
    "transactions": ("customers",),
    "pos_transactions": ("stores", "products", "bundles", "promotions", "pos_customers"),
    "transaction_lines": ("products", "bundles", "promotions", "transactions"),
    "email_events": ("email_subscribers",),
    "clickstream": ("customers",),
    "mobile_events": ("customers", "loyalty_members"),
    "wifi_sessions": ("stores",),
    "safety_inspections": ("stores",),
}
"""The catalogue of datasets a run can enable: each with the datasets its foreign keys point to
(enabled with it), parents before children (the order they are generated in). Each dataset
module in ``generate.datasets`` takes its ``PARENTS`` from here."""
DATASETS = tuple(DATASET_PARENTS)
"""Every dataset, parents before children."""


def check_datasets(datasets: tuple[str, ...]) -> None:
    """Refuse a datasets list without the customer master, or without what a dataset refers to."""
    if "customers" not in datasets:
        raise BadInputError(
            f"datasets = {list(datasets)} is not allowed: expected a list that includes "
            "'customers' (every other source system builds on it)"
        )
    for name in datasets:
        missing = [parent for parent in DATASET_PARENTS[name] if parent not in datasets]
        if missing:
            raise BadInputError(
                f"datasets = {list(datasets)} is not allowed: {name} refers to {missing}; "
                f"expected them in the list too, or {name} left out"
            )
