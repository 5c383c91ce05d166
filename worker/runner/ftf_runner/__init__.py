"""FineTuneFlow's training runner: LoRA/QLoRA fine-tuning driven by a run directory.

The contract with the worker is worker/runner/PROTOCOL.md. Modules that need torch,
transformers or peft (hf_trainer, hf_eval, modeling) are imported only after the dependency
check, so everything else runs on a bare Python.
"""
