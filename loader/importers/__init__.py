"""Importers of other public algorithm registers into the algokg model (beside the Dutch loader, `loader.pipeline`).

- `us_inventory` / `us_mapping` / `us_cots`: the US federal AI use case inventory (OMB, 2025) and its COTS file;
- `ai_watch` / `ai_watch_mapping`: the EU JRC AI Watch inventory and the registers among its source catalogues;
- `common`: what every import shares (a source per file with PROV-O and SHACL results, one atomic commit);
- `vocabulary`: the model's concepts and countries the importers map values to;
- `links`: candidate links between registers (`algokg link-registers`).
"""
