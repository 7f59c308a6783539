package dev.clipserve.server;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Valid manifests to start from; tests change one field. */
final class ManifestFixtures {
  private ManifestFixtures() {}

  static JsonObject image() {
    return JsonParser.parseString(
            """
            {"name": "teacher-image", "role": "teacher", "modality": "image",
             "embedding_space": "s", "architecture": "tiny", "onnx_file": "model.onnx",
             "dimension": 32,
             "inputs": {"pixel_values": "pixel_values"},
             "outputs": {"embeddings": "image_embeds"},
             "image": {"size": 32, "resize": "bicubic", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
             "batching": {"max_batch_size": 8, "preferred_batch_sizes": [4, 8], "max_queue_delay_us": 500},
             "parameters": 1234}
            """)
        .getAsJsonObject();
  }

  static JsonObject text() {
    return JsonParser.parseString(
            """
            {"name": "teacher-text", "role": "teacher", "modality": "text",
             "embedding_space": "s", "onnx_file": "model.onnx", "dimension": 32,
             "inputs": {"input_ids": "input_ids"},
             "outputs": {"embeddings": "text_embeds"},
             "text": {"tokenizer_file": "tokenizer.json", "context_length": 16, "pad_id": 0}}
            """)
        .getAsJsonObject();
  }

  static ModelManifest parse(JsonObject o) {
    return ModelManifest.parse(o.toString(), o.get("name").getAsString());
  }
}
