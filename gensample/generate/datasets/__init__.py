"""Datasets: one module each, one contract, mapped by name.

Every dataset module declares:

- ``NAME``; ``SCHEMA`` (its columns, equal to the output headers); ``PRIMARY_KEY``;
  ``FOREIGN_KEYS`` (column -> (dataset, column)); ``DESCRIPTIONS`` (every column's meaning, for
  the data dictionary and ``gensample load``); ``PARENTS``, the datasets its foreign keys point
  to (they must be enabled with it); ``IDENTITY``: True when its records carry a person
  (each has a truth row in ``truth/records.csv``);
- ``REFERENCE``: True for reference data, generated whole once a day by
  ``table(settings, parents, date) -> pa.Table`` (``parents``: the reference tables before it)
  and written once per day: the catalog (stores, products, brands, bundles, promotions,
  distributors), the same every day, and the supply chain of the day (production_batches,
  purchase_orders, shipments, inventory), each a pure function of the settings and the date;
- otherwise it is generated per block of people by
  ``generate(block: BlockInput, parents: Parents) -> Generated``, which must return exactly
  ``block.id_range(NAME)[1]`` rows with the record ids of that range, in id order. Every dataset
  but ``customers`` (counted by the plan) also exports
  ``rows(settings, entity_start, entities, parent_rows) -> int``: that exact count, cheap to
  compute, from the block's people and the rows of its parents in the block.

Datasets are generated in registry order, parents first, and each receives the ones generated
before it. Every random draw of a dataset comes from streams named after it, so enabling or
disabling one dataset never changes the bytes of another.
"""

from gensample.generate.datasets import (
    brands,
    bundles,
    clickstream,
    customers,
    distributors,
    email_events,
    email_subscribers,
    identity,
    incident_reports,
    inventory,
    loyalty_members,
    mobile_events,
    pos_customers,
    pos_transactions,
    production_batches,
    products,
    promotions,
    purchase_orders,
    safety_inspections,
    shipments,
    stores,
    transaction_lines,
    transactions,
    wifi_sessions,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents

REGISTRY = {
    "stores": stores,
    "brands": brands,
    "products": products,
    "bundles": bundles,
    "promotions": promotions,
    "distributors": distributors,
    "production_batches": production_batches,
    "purchase_orders": purchase_orders,
    "shipments": shipments,
    "inventory": inventory,
    "customers": customers,
    "pos_customers": pos_customers,
    "loyalty_members": loyalty_members,
    "email_subscribers": email_subscribers,
    "incident_reports": incident_reports,
    "transactions": transactions,
    "pos_transactions": pos_transactions,
    "transaction_lines": transaction_lines,
    "email_events": email_events,
    "clickstream": clickstream,
    "mobile_events": mobile_events,
    "wifi_sessions": wifi_sessions,
    "safety_inspections": safety_inspections,
}
"""Dataset name -> module, in generation order (parents before children)."""

IDENTITY_SYSTEMS = {
    name: module.SYSTEM
    for name, module in REGISTRY.items()
    if isinstance(getattr(module, "SYSTEM", None), identity.System)
}
"""The source systems whose records ``identity.records`` makes, by dataset name."""

__all__ = ["IDENTITY_SYSTEMS", "REGISTRY", "BlockInput", "Generated", "Parents"]
