/// Adapters from and to other tools: PEFT (`adapter_config.json` +
/// `adapter_model.safetensors`) and merged GGUF models.
public enum AdapterInterop {}
