import Foundation

/// The Gateway API Inference Extension's model-server protocol metrics, so routers that
/// schedule vLLM servers (the inference extension's endpoint picker, vLLM's production
/// stack router, LiteLLM) can schedule Aqyl's CPU engine the same way. Names and types as
/// the protocol (docs/proposals/003-model-server-protocol) lists them for vLLM, one
/// series per base model (`model_name`), computed at scrape time:
///
/// - `vllm:num_requests_waiting` (gauge): requests queued for a sequence slot
///   (TotalQueuedRequests);
/// - `vllm:num_requests_running` (gauge): sequences being decoded (TotalRunningRequests);
/// - `vllm:kv_cache_usage_perc` (gauge, a fraction 0…1 as vLLM reports it; also under its
///   older name `vllm:gpu_cache_usage_perc`): KVCacheUtilization. Aqyl reserves one
///   full-context KV cache per slot, so the share of the cache in use is the share of
///   slots decoding;
/// - `vllm:lora_requests_info` (gauge whose value is the time of the update, labels
///   `max_lora`, `running_lora_adapters`, `waiting_lora_adapters`): every adapter a
///   base model serves is resident and can join any batch, so all are "running" and
///   none wait; `max_lora` is how many there are.
struct ModelServerGauges {
    let models: [ServedModel]

    func exposition(now: Date = Date()) -> String {
        let bases = models.filter { $0.parent == nil }
        var waiting = "", running = "", usage = "", oldUsage = "", lora = ""
        for base in bases {
            let label = "model_name=\"\(Self.escape(base.id))\""
            let load = base.scheduler.load
            let slots = max(1, base.scheduler.configuration.slots)
            let fraction = Double(min(load.active, slots)) / Double(slots)
            waiting += "vllm:num_requests_waiting{\(label)} \(load.waiting)\n"
            running += "vllm:num_requests_running{\(label)} \(load.active)\n"
            usage += "vllm:kv_cache_usage_perc{\(label)} \(fraction)\n"
            oldUsage += "vllm:gpu_cache_usage_perc{\(label)} \(fraction)\n"
            let adapters = models.filter { $0.parent == base.id }.map(\.id)
            lora += "vllm:lora_requests_info{\(label),max_lora=\"\(adapters.count)\","
                + "running_lora_adapters=\"\(Self.escape(adapters.joined(separator: ",")))\",waiting_lora_adapters=\"\"} "
                + "\(now.timeIntervalSince1970)\n"
        }
        guard !bases.isEmpty else { return "" }
        return """
            # HELP vllm:num_requests_waiting Requests waiting for a sequence slot (model-server protocol TotalQueuedRequests).
            # TYPE vllm:num_requests_waiting gauge
            \(waiting)# HELP vllm:num_requests_running Sequences being decoded (model-server protocol TotalRunningRequests).
            # TYPE vllm:num_requests_running gauge
            \(running)# HELP vllm:kv_cache_usage_perc Share of the KV cache in use, 0 to 1 (model-server protocol KVCacheUtilization).
            # TYPE vllm:kv_cache_usage_perc gauge
            \(usage)# HELP vllm:gpu_cache_usage_perc The same as vllm:kv_cache_usage_perc, under vLLM's older name.
            # TYPE vllm:gpu_cache_usage_perc gauge
            \(oldUsage)# HELP vllm:lora_requests_info LoRA adapters served; the value is the time of this report.
            # TYPE vllm:lora_requests_info gauge
            \(lora)
            """
    }

    /// A label value as the text format wants it: backslash, quote and newline escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
