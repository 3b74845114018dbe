#!/usr/bin/env python3
"""validate-schema.py SCHEMA [FILE|-] -- check a JSON document against an OCI
runtime-spec JSON schema.

SCHEMA is a schema file, or the short name of one in the schema folder
(config, state, features; the folder is $OCI_SCHEMA_DIR or
/work/shared/oci-schema).  FILE defaults to stdin.  Exit 0 when valid;
otherwise print each problem with its JSON path on stderr and exit 1.
Exit 2 when the schema or the document cannot be read at all.

The OCI schemas are draft-04 and refer to each other with relative $refs
("defs.json#/..."), so references are resolved against the schema's folder.
Passing the schema means well-formed, never that the content is right.
"""

import json
import os
import sys
import warnings

import jsonschema

DEFAULT_DIR = os.environ.get("OCI_SCHEMA_DIR", "/work/shared/oci-schema")


def schema_path(name):
    if os.sep in name or name.endswith(".json"):
        return os.path.abspath(name)
    return os.path.join(DEFAULT_DIR, name + "-schema.json")


def make_validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    folder = os.path.dirname(path)
    cls = jsonschema.validators.validator_for(schema, jsonschema.Draft4Validator)
    try:
        # jsonschema >= 4.18: the referencing library.
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4

        def retrieve(uri):
            name = uri.split("#", 1)[0].rsplit("/", 1)[-1]
            with open(os.path.join(folder, name), encoding="utf-8") as g:
                return Resource.from_contents(json.load(g), default_specification=DRAFT4)

        base = "file://" + path
        registry = Registry(retrieve=retrieve).with_resource(
            base, Resource.from_contents(schema, default_specification=DRAFT4))
        return cls({"$ref": base}, registry=registry)
    except ImportError:
        # Debian 12's jsonschema 4.10: RefResolver with a file:// base.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            resolver = jsonschema.RefResolver("file://" + folder + "/", schema)
        return cls(schema, resolver=resolver)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    path = schema_path(argv[1])
    doc_name = argv[2] if len(argv) == 3 else "-"
    try:
        validator = make_validator(path)
        if doc_name == "-":
            doc = json.load(sys.stdin)
        else:
            with open(doc_name, encoding="utf-8") as f:
                doc = json.load(f)
    except (OSError, ValueError) as e:
        print("validate-schema: %s" % e, file=sys.stderr)
        return 2
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "." + ".".join(str(p) for p in e.absolute_path)
        print("%s: %s: %s" % (doc_name, where, e.message), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
