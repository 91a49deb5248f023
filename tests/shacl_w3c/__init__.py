"""The W3C SHACL core test suite run against the compiled validator (``loader.shacl_sparql``)."""
