"""axe-core, the accessibility rules engine, run on a page of the browser tests.

axe-core is vendored in tests/browser/vendor/ (see its README). Our pages
forbid inline and foreign scripts (CSP), so the page's browser context must be
opened with ``bypass_csp=True`` for axe to be injected.

    violations = axe_violations(page)
    assert not violations, describe(violations)
"""

from pathlib import Path

from playwright.sync_api import Page

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA, and Deque's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations;
}"""


def axe_violations(page: Page) -> list[dict]:
    """Run axe on the whole page (open shadow roots included); its violations.

    Each violation has ``id``, ``impact``, ``help``, ``helpUrl`` and ``nodes``
    (each with ``target`` and ``failureSummary``), as axe reports them.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(RUN_AXE, TAGS)


def describe(violations: list[dict]) -> str:
    """The violations as lines a person can act on: rule, impact, element, what to fix."""
    lines = [f"{len(violations)} accessibility rule(s) violated:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe finds any violation on the page."""
    violations = axe_violations(page)
    assert not violations, describe(violations)
