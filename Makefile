# Rebuild the trained models shipped in triage/models_data/ (see README, "Models").
PYTHON ?= python
DATA ?= training_data/requests.jsonl
MODELS ?= triage/models_data
SEED ?= 20240601

.PHONY: train evaluate test bench

train:  ## retrain topics and exemptions from $(DATA) into $(MODELS), with manifest.json
	$(PYTHON) -m triage train --data $(DATA) --out $(MODELS) --seed $(SEED)

evaluate:  ## score the pipeline on a gold file: make evaluate GOLD=path/to/gold.jsonl
	$(PYTHON) -m triage evaluate $(GOLD)

test:
	$(PYTHON) -m pytest -q

bench:
	$(PYTHON) bench/latency.py
