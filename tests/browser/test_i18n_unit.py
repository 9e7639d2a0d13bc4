"""Unit tests of the scripts' language choice and catalogue lookup
(app/static/common/i18n.js, app/static/widget/i18n.js), run in Chromium on
a page of the chat server that loads neither the widget nor the inbox."""

import pytest

from tests.browser.chromium import BROWSER_TESTS

pytestmark = BROWSER_TESTS

SHIPPED = ["en", "es", "ar"]


@pytest.fixture
def page(server, new_context):
    page = new_context().new_page()
    page.goto(f"{server.url}/login")
    return page


def pick(page, wanted, available=SHIPPED):
    return page.evaluate(
        """async ([wanted, available]) => {
          const { pickLocale } = await import("/static/common/i18n.js");
          return pickLocale(wanted, available);
        }""",
        [wanted, available],
    )


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        (["es"], "es"),
        (["es-MX", "en"], "es"),  # a region gets its language
        (["ES_es"], "es"),  # case and underscore as some sites write it
        (["ar-EG"], "ar"),
        (["de-DE", "fr", "es"], "es"),  # the first that ships, in order
        (["de-DE", "fr"], "en"),  # none ships: English
        ([None, "", "  ", "ar"], "ar"),  # no data-locale: the browser's
        (["xx-YY", "es"], "es"),
        ([], "en"),
        (["../../evil", "<script>"], "en"),  # never anything but a shipped code
    ],
)
def test_pick_locale(page, wanted, chosen):
    assert pick(page, wanted) == chosen


def test_the_sites_choice_wins_over_the_browser(page):
    chosen = page.evaluate(
        """async () => {
          const { chooseWidgetLocale } = await import("/static/widget/i18n.js");
          return [
            chooseWidgetLocale("ar", ["es-ES", "en"]),
            chooseWidgetLocale(null, ["es-ES", "en"]),
            chooseWidgetLocale("pt", ["de", "fr"]),
          ];
        }"""
    )
    assert chosen == ["ar", "es", "en"]


def test_plural_forms_and_placeholders_follow_the_language(page):
    texts = page.evaluate(
        """async () => {
          const i18n = await import("/static/common/i18n.js");
          const { loadWidgetLocale } = await import("/static/widget/i18n.js");
          const unread = (count) => i18n.t("launcher.unread", { label: "X", count });
          const out = {};
          for (const locale of ["en", "es", "ar"]) {
            await loadWidgetLocale(locale);
            out[locale] = {
              locale: i18n.currentLocale(),
              direction: i18n.textDirection(),
              notice: [1, 2, 3, 11, 100].map(
                (count) => i18n.t("notice.new_messages", { count, title: "T" })),
              unread: unread(2),
              typing: i18n.t("typing.named", { name: "Tess" }),
              missing: i18n.t("no.such.key"),
            };
          }
          return out;
        }"""
    )
    assert texts["en"]["notice"] == [
        "(1) New message · T",
        "(2) New messages · T",
        "(3) New messages · T",
        "(11) New messages · T",
        "(100) New messages · T",
    ]
    assert texts["es"]["notice"][:2] == ["(1) Mensaje nuevo · T", "(2) Mensajes nuevos · T"]
    assert texts["es"]["typing"] == "Tess está escribiendo…"
    # Arabic: one, two, few (3-10), many (11-99) and other (100) all differ.
    assert texts["ar"]["notice"] == [
        "(1) رسالة جديدة · T",
        "(2) رسالتان جديدتان · T",
        "(3) رسائل جديدة · T",
        "(11) رسالة جديدة · T",
        "(100) رسالة جديدة · T",
    ]
    assert texts["ar"]["unread"] == "X (رسالتان غير مقروءتين)"
    assert [texts[code]["direction"] for code in ("en", "es", "ar")] == ["ltr", "ltr", "rtl"]
    assert [texts[code]["locale"] for code in ("en", "es", "ar")] == ["en", "es", "ar"]
    # A key no catalogue has shows as itself, never blank.
    assert texts["es"]["missing"] == "no.such.key"


def test_a_locale_that_does_not_ship_loads_english(page):
    locale = page.evaluate(
        """async () => {
          const { loadWidgetLocale } = await import("/static/widget/i18n.js");
          return loadWidgetLocale("../../inbox/locales/es");
        }"""
    )
    assert locale == "en"


def test_dates_use_the_browsers_region_for_the_language(server, new_context):
    page = new_context(locale="es-MX").new_page()
    page.goto(f"{server.url}/login")
    shown = page.evaluate(
        """async () => {
          const { loadWidgetLocale } = await import("/static/widget/i18n.js");
          const i18n = await import("/static/common/i18n.js");
          const time = await import("/static/common/time.js");
          await loadWidgetLocale("es");
          const now = new Date(2026, 10, 29, 15, 0);
          return {
            format: i18n.formatLocale(),
            today: time.dayLabel(new Date(2026, 10, 29, 9, 0), now),
            yesterday: time.dayLabel(new Date(2026, 10, 28, 9, 0), now),
            long: time.dayLabel(new Date(2026, 0, 5, 9, 0), now),
            ago: time.relativeTime(new Date(2026, 10, 29, 14, 55), now),
          };
        }"""
    )
    assert shown == {
        "format": "es-MX",
        "today": "Hoy",
        "yesterday": "Ayer",
        "long": "5 de enero de 2026",
        "ago": "5 min",
    }
