"""The scripts' message catalogues: every shipped locale has every key, with
the same placeholders, and a plural text has each form its language needs."""

import json
import re
from pathlib import Path

import pytest
from babel import Locale

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
CATALOGUE_DIRS = ["common/locales", "widget/locales", "inbox/locales"]
SHIPPED = ["en", "es", "ar"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load_catalogue(path: Path) -> dict:
    """The object after `export default` (plain JSON, see the files' headers)."""
    text = path.read_text(encoding="utf-8")
    body = text.split("\nexport default", 1)[1].strip()
    assert body.endswith(";"), f"{path} must end with a semicolon"
    return json.loads(body[:-1])


def plural_categories(locale: str) -> set[str]:
    return set(Locale.parse(locale).plural_form.tags) | {"other"}


def placeholders(value) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("folder", CATALOGUE_DIRS)
def test_only_shipped_locales_are_in_the_folder(folder):
    assert sorted(path.stem for path in (STATIC / folder).glob("*.js")) == sorted(SHIPPED)


@pytest.mark.parametrize("folder", CATALOGUE_DIRS)
@pytest.mark.parametrize("locale", SHIPPED)
def test_every_key_is_in_every_locale(folder, locale):
    english = load_catalogue(STATIC / folder / "en.js")
    catalogue = load_catalogue(STATIC / folder / f"{locale}.js")
    assert sorted(set(english) - set(catalogue)) == [], "missing keys"
    assert sorted(set(catalogue) - set(english)) == [], "keys English does not have"


@pytest.mark.parametrize("folder", CATALOGUE_DIRS)
@pytest.mark.parametrize("locale", SHIPPED)
def test_texts_keep_the_placeholders_and_have_every_plural_form(folder, locale):
    english = load_catalogue(STATIC / folder / "en.js")
    catalogue = load_catalogue(STATIC / folder / f"{locale}.js")
    for key, value in catalogue.items():
        assert value, f"{key} is empty"
        assert placeholders(value) <= placeholders(english[key]), f"{key}: unknown placeholder"
        if isinstance(english[key], dict):
            assert isinstance(value, dict), f"{key} must have plural forms"
            assert plural_categories(locale) <= set(value), f"{key} lacks plural forms"
            assert set(value) <= plural_categories(locale), f"{key} has forms {locale} never uses"


def test_no_catalogue_key_is_shared_by_two_folders_with_other_texts():
    """The widget's and the inbox's own keys are merged over the common ones:
    a key in both would silently hide the common text."""
    common = set(load_catalogue(STATIC / "common/locales/en.js"))
    for folder in ("widget/locales", "inbox/locales"):
        assert common.isdisjoint(load_catalogue(STATIC / folder / "en.js")), folder
