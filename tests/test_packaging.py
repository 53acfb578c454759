"""The project's own files say the same thing: pyproject.toml, environment.yml, constraints.txt."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = set(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs |= set(extra)
    return {r.replace(" ", "") for r in reqs}


def _environment_pip_requirements() -> set[str]:
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    reqs = set()
    for line in lines[start + 1:]:
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if not stripped.startswith("- "):
            break
        reqs.add(stripped[2:].replace(" ", ""))
    return reqs


def test_environment_yml_lists_exactly_the_pyproject_requirements():
    assert _environment_pip_requirements() == _pyproject_requirements()


def test_every_requirement_is_pinned_in_constraints():
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[name.lower().replace("_", "-")] = version
    missing = {_name(r) for r in _pyproject_requirements()} - set(pinned)
    assert not missing, f"add these to constraints.txt: {sorted(missing)}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make test" in ci


def test_every_third_party_import_of_the_package_is_a_declared_dependency():
    """What the wheel test no longer proves by installing: a package imported by ``topics/`` (at
    module level or inside a function) is in ``[project] dependencies``, not only in an extra."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    modules = set()
    for path in (ROOT / "topics").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"topics", "__future__"}
    distributions = packages_distributions()
    declared = {_name(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                ["project"]["dependencies"]}
    undeclared = {}
    for module in sorted(third_party):
        names = {name.lower().replace("_", "-") for name in distributions.get(module, [])}
        if not names & declared:
            undeclared[module] = sorted(names) or "not installed"
    assert not undeclared, f"imported by topics/ but not in [project] dependencies: {undeclared}"
