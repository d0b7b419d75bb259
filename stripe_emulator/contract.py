"""Stripe's API contract, read from the official SDK's typed classes, and a checker of answers.

The ``stripe`` Python SDK ships one typed class per API object (``stripe/_refund.py``,
``stripe/_charge.py`` ...), generated from Stripe's OpenAPI definition: every field is a
class annotation such as ``amount: int``, ``charge: Optional[ExpandableField["Charge"]]`` or
``status: Union[Literal["failed", "pending", "succeeded"], str]``; nested objects are nested
classes. This module parses those files (with :mod:`ast`, nothing of the SDK is imported or
run) into a schema, and checks JSON answers against it:

* a key that is not a field of the object is an error (``refund.livemode: not a field of
  Refund``);
* a field that is not ``Optional`` must be present and not null;
* values must have the annotated type: ``int``, ``str``, ``bool``, ``float``, closed
  ``Literal`` sets, lists, maps, nested objects, ``ExpandableField`` (an id or the expanded
  object) and list envelopes (``object``, ``data``, ``has_more``, ``url``).

Objects are recognised by their ``object`` value (the classes' ``OBJECT_NAME``); an event's
``data.object`` by its own ``object``, and its ``previous_attributes`` must name fields of it.
Error bodies are checked against ``ErrorObject`` (``{"error": {...}}``), OAuth answers
against ``OAuth.OAuthToken`` / ``OAuth.OAuthDeauthorization`` and OAuth errors against the
two keys the SDK's ``OAuthErrorObject`` reads (``error``, ``error_description``).

Usage::

    from stripe_emulator.contract import default_contract
    violations = default_contract().check_answer(body, path="/v1/refunds", status=200)
"""

import ast
import functools
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

_TOP_CLASS = re.compile(r"^class (\w+)", re.M)
_OBJECT_NAME = re.compile(
    r'^    OBJECT_NAME: ClassVar\[\s*Literal\[\s*"([a-z_.]+)"\s*\]\s*\]', re.M)
_IMPORT = re.compile(r"^\s*from stripe\.(_[a-z_]+) import (\w+)$", re.M)
_PRIMITIVES = {"int": int, "str": str, "bool": bool, "float": float}
# The OAuth error object of the SDK has no annotations; it reads exactly these two keys.
OAUTH_ERROR_FIELDS = ("error", "error_description")


def sdk_directory():
    """Folder of the installed ``stripe`` package (found without importing it)."""
    spec = importlib.util.find_spec("stripe")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the stripe SDK is not installed: the contract cannot be read")
    return Path(next(iter(spec.submodule_search_locations)))


# -- type expressions --------------------------------------------------------------------
@dataclass(frozen=True)
class Type:
    """A parsed annotation: ``kind`` is one of any, prim, lit, list, map, obj, union,
    expandable, listobj; ``nullable`` when wrapped in ``Optional``."""

    kind: str
    args: tuple = ()
    nullable: bool = False

    def with_null(self):
        return Type(self.kind, self.args, True)


ANY = Type("any")


@dataclass
class Schema:
    """One typed class: its fields (name -> Type) and where it was declared."""

    name: str  # qualified, e.g. "Charge.Outcome"
    fields: dict = field(default_factory=dict)
    object_name: str = None


# -- the SDK reader ----------------------------------------------------------------------
class Contract:
    """Schemas of the SDK's typed classes, read on demand, and the checks built on them."""

    def __init__(self, directory=None):
        self.directory = Path(directory) if directory else sdk_directory()
        self._modules = {}      # module file stem -> (imports, classes)
        self._schemas = {}      # (module, qualified name) -> Schema
        self._by_object = None  # object name -> (module, class name)

    # .. discovery .......................................................................
    @property
    def object_classes(self):
        """``{object name: (module, class name)}`` for every top-level resource class."""
        if self._by_object is None:
            found = {}
            for path in sorted(self.directory.glob("_*.py")):
                text = path.read_text(encoding="utf-8")
                if "OBJECT_NAME" not in text:
                    continue
                starts = [(m.start(), m.group(1)) for m in _TOP_CLASS.finditer(text)]
                for match in _OBJECT_NAME.finditer(text):
                    owner = [name for start, name in starts if start < match.start()]
                    if owner:
                        found.setdefault(match.group(1), (path.stem, owner[-1]))
            self._by_object = found
        return self._by_object

    def _module(self, stem):
        if stem not in self._modules:
            path = self.directory / f"{stem}.py"
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
            imports = dict((name, module) for module, name in _IMPORT.findall(text))
            classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
            self._modules[stem] = (imports, classes)
        return self._modules[stem]

    def schema_for_object(self, object_name):
        """The Schema of the resource whose ``object`` is ``object_name``, or None."""
        where = self.object_classes.get(object_name)
        return self.schema(*where) if where else None

    def schema(self, module, qualified):
        """The Schema of class ``qualified`` (dotted for nested classes) of ``module``."""
        key = (module, qualified)
        if key in self._schemas:
            return self._schemas[key]
        imports, classes = self._module(module)
        parts = qualified.split(".")
        node, scopes = classes.get(parts[0]), []
        for part in parts[1:]:
            scopes.append(node)
            node = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == part),
                        None) if node else None
        if node is None:
            raise KeyError(f"{module}.{qualified}")
        schema = Schema(qualified)
        self._schemas[key] = schema  # before parsing fields: classes may refer to themselves
        scopes.append(node)
        for statement in node.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target,
                                                                           ast.Name):
                continue
            text = ast.unparse(statement.annotation)
            if text.startswith("ClassVar"):
                if statement.target.id == "OBJECT_NAME" and isinstance(statement.value,
                                                                       ast.Constant):
                    schema.object_name = statement.value.value
                continue
            resolver = functools.partial(self._resolve, module, scopes, imports, classes)
            schema.fields[statement.target.id] = _parse(statement.annotation, resolver)
        return schema

    def _resolve(self, module, scopes, imports, classes, name):
        """A class name used in an annotation -> ``Type('obj', (module, qualified))``."""
        name = name.strip()
        if name in _PRIMITIVES:
            return Type("prim", (name,))
        if name in ("Any", "StripeObject", "object"):
            return ANY
        head = name.split(".")[0]
        # Nested classes of the enclosing classes, innermost first.
        for depth in range(len(scopes), 0, -1):
            node = scopes[depth - 1]
            if any(isinstance(n, ast.ClassDef) and n.name == head for n in node.body):
                qualified = ".".join([*(s.name for s in scopes[:depth]), name])
                return Type("obj", (module, qualified))
        if head in classes:
            return Type("obj", (module, name))
        if head in imports:
            return Type("obj", (imports[head], name))
        return ANY  # something the SDK does not type (kept permissive, never invented)


def _parse(node, resolve):
    """Turn an annotation AST into a Type."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return ANY
        return _parse(inner, resolve)
    if isinstance(node, ast.Name):
        return resolve(node.id)
    if isinstance(node, ast.Attribute):
        return resolve(ast.unparse(node))
    if not isinstance(node, ast.Subscript):
        return ANY
    head = ast.unparse(node.value)
    args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if head == "Optional":
        return _parse(args[0], resolve).with_null()
    if head == "Literal":
        return Type("lit", tuple(a.value for a in args if isinstance(a, ast.Constant)))
    if head == "Union":
        members = [_parse(a, resolve) for a in args]
        nullable = any(m.nullable for m in members)
        if any(m.kind == "prim" and m.args == ("str",) for m in members):
            # ``Union[Literal[...], str]``: an open enum, any string.
            members = [m for m in members if m.kind != "lit"]
        members = [Type(m.kind, m.args) for m in members]
        if len(members) == 1:
            return Type(members[0].kind, members[0].args, nullable)
        return Type("union", tuple(members), nullable)
    if head == "List":
        return Type("list", (_parse(args[0], resolve),))
    if head == "Dict":
        return Type("map", (_parse(args[-1], resolve),))
    if head == "UntypedStripeObject":
        return Type("map", (_parse(args[0], resolve),))
    if head == "ExpandableField":
        return Type("expandable", (_parse(args[0], resolve),))
    if head == "ListObject":
        return Type("listobj", (_parse(args[0], resolve),))
    return ANY


# -- checks ------------------------------------------------------------------------------
class Checker:
    """Walks one JSON value along a Type and collects violations as ``path: problem``."""

    def __init__(self, contract):
        self.contract = contract
        self.errors = []

    def error(self, path, message):
        self.errors.append(f"{path}: {message}")

    def value(self, value, kind, path):
        if value is None:
            if not kind.nullable and kind.kind != "any":
                self.error(path, "null, but the field is not nullable")
            return
        handler = getattr(self, f"_{kind.kind}")
        handler(value, kind, path)

    def _any(self, value, kind, path):
        pass

    def _prim(self, value, kind, path):
        expected = _PRIMITIVES[kind.args[0]]
        ok = isinstance(value, expected) and not (expected is not bool
                                                    and isinstance(value, bool))
        if expected is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            self.error(path, f"expected {kind.args[0]}, got {type(value).__name__} "
                             f"{_short(value)}")

    def _lit(self, value, kind, path):
        if value not in kind.args or type(value) is not type(kind.args[0]):
            choices = (list(kind.args) if len(kind.args) <= 8
                       else f"the {len(kind.args)} values the SDK lists")
            self.error(path, f"{_short(value)} is not one of {choices}")

    def _list(self, value, kind, path):
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            self.value(item, kind.args[0], f"{path}[{index}]")

    def _map(self, value, kind, path):
        if not isinstance(value, dict):
            self.error(path, f"expected an object (map), got {type(value).__name__}")
            return
        for key, item in value.items():
            self.value(item, kind.args[0], f"{path}.{key}")

    def _expandable(self, value, kind, path):
        if isinstance(value, str):
            return
        self.value(value, Type(kind.args[0].kind, kind.args[0].args), path)

    def _union(self, value, kind, path):
        if isinstance(value, dict) and "object" in value:
            for member in kind.args:
                if member.kind == "obj":
                    schema = self.contract.schema(*member.args)
                    if schema.object_name == value["object"]:
                        self.value(value, member, path)
                        return
        best = None
        for member in kind.args:
            trial = Checker(self.contract)
            trial.value(value, member, path)
            if best is None or len(trial.errors) < len(best):
                best = trial.errors
        self.errors.extend(best or [])

    def _listobj(self, value, kind, path):
        if not isinstance(value, dict):
            self.error(path, f"expected a list object, got {type(value).__name__}")
            return
        expected = {"object": Type("lit", ("list",)), "data": Type("list", (kind.args[0],)),
                    "has_more": Type("prim", ("bool",)), "url": Type("prim", ("str",))}
        self.fields(value, expected, "ListObject", path)

    def _obj(self, value, kind, path):
        if not isinstance(value, dict):
            self.error(path, f"expected an object, got {type(value).__name__} {_short(value)}")
            return
        schema = self.contract.schema(*kind.args)
        if schema.object_name and value.get("object") not in (None, schema.object_name):
            self.error(path, f"expected a {schema.object_name} object, got "
                             f"{_short(value.get('object'))}")
            return
        self.fields(value, schema.fields, schema.name, path,
                    partial=value.get("deleted") is True)
        if schema.name == "Event.Data":
            self.event_data(value, path)

    def fields(self, value, fields, class_name, path, partial=False):
        """Unknown keys, missing or null required fields, then each field's type."""
        for key in value:
            if key not in fields:
                self.error(f"{path}.{key}", f"not a field of {class_name}")
        for name, kind in fields.items():
            if name in value:
                self.value(value[name], kind, f"{path}.{name}")
            elif not kind.nullable and kind.kind != "any" and not partial:
                self.error(f"{path}.{name}", f"missing (required field of {class_name})")

    def event_data(self, data, path):
        """An event's object is checked as its own resource, its previous attributes too."""
        obj = data.get("object")
        if not isinstance(obj, dict):
            return
        schema = self.resource(obj, f"{path}.object")
        previous = data.get("previous_attributes")
        if schema is not None and isinstance(previous, dict):
            for key in previous:
                if key not in schema.fields:
                    self.error(f"{path}.previous_attributes.{key}",
                               f"not a field of {schema.name}")

    def resource(self, value, path):
        """Check a top-level object by its ``object`` value; returns its Schema."""
        object_name = value.get("object")
        if object_name == "list":
            self._listobj(value, Type("listobj", (Type("any"),)), path)
            for index, item in enumerate(value.get("data") or []):
                if isinstance(item, dict):
                    self.resource(item, f"{path}.data[{index}]")
            return None
        schema = self.contract.schema_for_object(object_name) if isinstance(
            object_name, str) else None
        if schema is None:
            self.error(f"{path}.object", f"{_short(object_name)} is not an object of "
                                         "Stripe's API")
            return None
        module, _ = self.contract.object_classes[object_name]
        self._obj(value, Type("obj", (module, schema.name)), path)
        return schema


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- entry points ------------------------------------------------------------------------
class AnswerChecks:
    """What :func:`default_contract` returns: the contract with answer-level checks."""

    def __init__(self, contract):
        self.contract = contract

    def check_object(self, value, path=None):
        """Violations of one Stripe object (or list) recognised by its ``object`` field."""
        checker = Checker(self.contract)
        if not isinstance(value, dict):
            return [f"{path or 'answer'}: expected a JSON object"]
        checker.resource(value, path or str(value.get("object") or "answer"))
        return checker.errors

    def check_event(self, event):
        """Violations of a webhook event payload."""
        return self.check_object(event, "event")

    def check_answer(self, body, path="", status=200):
        """Violations of one HTTP answer of the API, by its request path and status."""
        checker = Checker(self.contract)
        if not isinstance(body, dict):
            return ["answer: expected a JSON object"]
        oauth = path.startswith("/oauth/")
        if status >= 400 and oauth:
            fields = {name: Type("prim", ("str",)) for name in OAUTH_ERROR_FIELDS}
            checker.fields(body, fields, "OAuthErrorObject", "oauth_error")
        elif status >= 400:
            error = Type("obj", ("_error_object", "ErrorObject"))
            checker.fields(body, {"error": error}, "the error envelope", "error_answer")
        elif path == "/oauth/token":
            checker.value(body, Type("obj", ("_oauth", "OAuth.OAuthToken")), "oauth_token")
        elif path == "/oauth/deauthorize":
            checker.value(body, Type("obj", ("_oauth", "OAuth.OAuthDeauthorization")),
                          "oauth_deauthorization")
        else:
            checker.resource(body, str(body.get("object") or "answer"))
        return checker.errors


@functools.lru_cache(maxsize=1)
def event_types():
    """The event types of Stripe's API (the SDK's ``Event.type``), or None without the SDK."""
    try:
        kind = Contract().schema("_event", "Event").fields["type"]
    except (RuntimeError, KeyError, OSError):
        return None
    return frozenset(kind.args) if kind.kind == "lit" else None


@functools.lru_cache(maxsize=1)
def default_contract():
    """The contract of the installed SDK (read once per process)."""
    return AnswerChecks(Contract())
