/// LoRA fine-tuning on a model's frozen, quantized GGUF weights.
public enum Training {}
