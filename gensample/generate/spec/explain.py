"""What a checked spec will make, in words, for ``gensample check``."""

from gensample.generate.spec.model import Spec, parents
from gensample.settings import Settings


def explain(spec: Spec, settings: Settings) -> str:
    """One paragraph per dataset of ``spec``: rows expected, key, parents, duplicates, fuzz; a
    line per built-in system it sets parameters of."""
    systems = f", parameters of {len(spec.systems)} built-in systems" if spec.systems else ""
    lines = [f"spec {spec.file}: {len(spec.datasets)} datasets{systems}"]
    for name, entry in spec.systems.items():
        given = [key for key in entry if key not in ("builtin", "description")]
        lines.append(f"  built-in system {name}: {', '.join(given) or 'nothing'} from this file")
    for name, table in spec.tables.items():
        lines.append(f"  table {name}: {table.num_rows} rows from the user's file")
    for name, dataset in spec.datasets.items():
        lines += [f"  dataset {name}: {_rows(dataset, settings)}", *_details(dataset)]
    return "\n".join(lines)


def _rows(dataset: dict, settings: Settings) -> str:
    """Rows expected: people seen (and their copies), a number, or a mean per parent row."""
    rows = dataset.get("rows")
    if isinstance(rows, int):
        return f"{rows:,} rows"
    if isinstance(rows, dict):
        weighted = f", weighted by {rows['weights']}" if "weights" in rows else ""
        drawn = rows.get("distribution", "poisson")
        return f"about {rows['mean']:g} rows per {rows['per']} row ({drawn}{weighted})"
    seen = settings.customers * dataset["population"]
    rate = dataset.get("duplicates", {}).get("rate", 0.0)
    share = f"{dataset['population']:g} of {settings.customers:,}"
    expected = seen / (1 - rate)
    return f"about {expected:,.0f} rows: {seen:,.0f} people seen ({share}), {rate:.1%} duplicates"


def _details(dataset: dict) -> list[str]:
    """The key, the references and the fuzz map of a dataset."""
    scheme = dataset["id"]
    first = f"{scheme.get('prefix', '')}{str(scheme.get('start', 1)).zfill(scheme.get('width', 0))}"
    lines = [f"    key {scheme['column']}, from {first}"]
    lines += [f"    refers to {parent}" for parent in sorted(parents(dataset))]
    for field, fuzz in dataset.get("fuzz", {}).items():
        lines.append(
            f"    fuzz {field} (weight {fuzz['weight']:g}): {', '.join(fuzz['corruptions'])}"
        )
    return lines
