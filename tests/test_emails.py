"""E-mail variants: plus tags, dots in the local part, mistyped domains."""

import pyarrow as pa

from gensample.corruptions import emails

VALUES = pa.array(["ann.lee@gmail.com", "bob+x@yahoo.com", "cy@comcast.net", "x", None, ""])


def test_plus_tags_are_added_or_dropped(rng):
    after = emails.add_plus_tag(VALUES, rng).to_pylist()
    local, domain = after[0].split("@")
    assert domain == "gmail.com" and local.split("+")[0] == "ann.lee"
    assert local.split("+")[1] in emails.PLUS_TAGS
    assert after[1] == "bob@yahoo.com" and after[2].startswith("cy+")
    assert after[3:] == ["x", None, ""]


def test_dots_are_dropped_or_added_in_the_local_part_only(rng):
    after = emails.change_email_dots(VALUES, rng).to_pylist()
    assert after[0] == "annlee@gmail.com"
    assert after[1] == "b.ob+x@yahoo.com" or after[1] == "bo.b+x@yahoo.com"
    assert after[2] == "c.y@comcast.net" and after[3:] == ["x", None, ""]


def test_domains_are_mistyped_as_people_do(rng):
    values = pa.array(["ann@gmail.com"] * 200 + ["bo@Example.org", "cy@foo.com"])
    after = emails.misspell_email_domain(values, rng).to_pylist()
    typos = {address.split("@")[1] for address in after[:200]}
    assert typos <= {*emails.DOMAIN_TYPOS["gmail.com"], "gmail.con"} and "gmial.com" in typos
    assert after[200:] == ["bo@Example.org", "cy@foo.con"]
