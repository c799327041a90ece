"""Views and API views never write: every save, create, update, delete and transaction goes through a service
(``<entity>_<verb>``, atomic, audited). This scans the source of every views module and API module with ``ast``
and names each write by file and line.

Scanned: files named ``views*.py``, files under a ``views/`` or ``views_*/`` directory, and ``api/*.py`` that are
not serializers. Flagged: calls of ``.save(``, ``.create(``, ``.update(``, ``.delete(``, ``.bulk_create(``,
``.get_or_create(``, ``.update_or_create(``, and any ``transaction.atomic`` / ``atomic(``.

Not flagged (they write nothing): ``update`` of a dict or a hash (a name the function bound to a dict literal,
``dict(...)``, a template context or ``hashlib.sha256()``), and a viewset's ``self.update(...)`` / ``super().update(...)`` (the view's own method).
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {"migrations", "tests", "node_modules", "static", "media", "docs", "templates", "fixtures", "scripts"}
WRITE_METHODS = {"save", "create", "update", "delete", "bulk_create", "get_or_create", "update_or_create"}
DICT_FACTORIES = {"dict", "get_context_data", "copy", "defaultdict", "OrderedDict"}


def scanned_modules() -> list[pathlib.Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        folders = rel.parts[:-1]
        if any(part.startswith(".") or part in SKIPPED_DIRS or part.endswith(".egg-info") for part in folders):
            continue
        name = rel.name
        is_view = name.startswith("views") or any(part == "views" or part.startswith("views_") for part in folders)
        is_api = bool(folders) and folders[-1] == "api" and "serializer" not in name
        if is_view or is_api:
            found.append(rel)
    return sorted(found)


def _is_dict_value(node) -> bool:
    if isinstance(node, ast.Dict | ast.DictComp):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "hashlib":
            return True
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in DICT_FACTORIES
    return False


def _dict_names(function) -> set[str]:
    """Names a function binds to a dict or a hash (``context = super().get_context_data()``, ``params = {}``)."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_dict_value(node.value):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and (
                _is_dict_value(node.value) if node.value is not None else "dict" in ast.unparse(node.annotation)):
            names.add(node.target.id)
    return names


def _is_own_method(receiver) -> bool:
    if isinstance(receiver, ast.Name) and receiver.id == "self":
        return True
    return isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super"


class WriteFinder(ast.NodeVisitor):
    def __init__(self):
        self.findings: list[tuple[int, str]] = []
        self.dict_names: list[set[str]] = [set()]

    def _function(self, node):
        self.dict_names.append(self.dict_names[-1] | _dict_names(node))
        self.generic_visit(node)
        self.dict_names.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
            receiver = func.value
            dict_update = func.attr == "update" and (
                (isinstance(receiver, ast.Name) and receiver.id in self.dict_names[-1]) or _is_dict_value(receiver))
            if not dict_update and not _is_own_method(receiver):
                self.findings.append((node.lineno, f"{ast.unparse(func)}(…)"))
        if isinstance(func, ast.Name) and func.id == "atomic":
            self.findings.append((node.lineno, "atomic(…)"))
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr == "atomic" and isinstance(node.value, ast.Name) and node.value.id == "transaction":
            self.findings.append((node.lineno, "transaction.atomic"))
        self.generic_visit(node)


def writes_in(path: pathlib.Path) -> list[tuple[int, str]]:
    finder = WriteFinder()
    finder.visit(ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=str(path)))
    return sorted(set(finder.findings))


def test_the_scan_sees_the_views_and_api_modules():
    modules = {str(path) for path in scanned_modules()}
    assert "households/views/edit.py" in modules
    assert "households/api/views.py" in modules
    assert "funds/imports/views.py" in modules
    assert not any("serializer" in module for module in modules)


def test_the_scan_finds_writes_and_ignores_dict_updates(tmp_path):
    source = (
        "from django.db import transaction\n"
        "def view(request, household):\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
        "    household.save()\n"
        "    Household.objects.filter(pk=1).update(version=2)\n"
        "    with transaction.atomic():\n"
        "        pass\n"
        "class V:\n"
        "    def partial_update(self, request):\n"
        "        return self.update(request)\n"
    )
    finder = WriteFinder()
    finder.visit(ast.parse(source))
    assert sorted(set(finder.findings)) == [
        (5, "household.save(…)"), (6, "Household.objects.filter(pk=1).update(…)"), (7, "transaction.atomic")]


def test_views_and_api_views_write_only_through_services():
    findings = [f"{path}:{line}: {what}" for path in scanned_modules() for line, what in writes_in(path)]
    assert not findings, "视图和接口视图中不应直接写库或开启事务，请改为调用服务（<实体>_<动作>）：\n" + "\n".join(findings)
