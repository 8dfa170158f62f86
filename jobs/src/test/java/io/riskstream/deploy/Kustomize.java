package io.riskstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of kustomize that {@code deploy/kubernetes/} uses, so that a test can render the
 * overlays without a cluster or a kustomize binary (none is on Maven Central): resources (files and
 * bases), a ConfigMap generator from files without name hashes, patches (a merge patch by name, or
 * to every target of a kind; JSON patches add, replace and remove), and a namespace. A
 * kustomization using anything else fails here. For a resource of a custom kind, kustomize's
 * strategic merge has no schema and is a JSON merge patch (RFC 7386), as here. {@code
 * DeploymentFilesTest} compares the result with {@code kubectl kustomize} where that is installed.
 */
final class Kustomize {
  static final ObjectMapper YAML = new YAMLMapper();

  private Kustomize() {}

  static List<ObjectNode> render(Path dir) throws IOException {
    JsonNode k = YAML.readTree(Files.readString(dir.resolve("kustomization.yaml")));
    Iterator<String> fields = k.fieldNames();
    while (fields.hasNext()) {
      String field = fields.next();
      if (!List.of(
              "apiVersion",
              "kind",
              "resources",
              "patches",
              "configMapGenerator",
              "generatorOptions",
              "namespace")
          .contains(field)) {
        throw new IllegalArgumentException(dir + ": kustomization field not rendered: " + field);
      }
    }
    List<ObjectNode> resources = new ArrayList<>();
    for (JsonNode entry : k.path("resources")) {
      Path path = dir.resolve(entry.asText()).normalize();
      if (Files.isDirectory(path)) {
        resources.addAll(render(path));
      } else {
        resources.addAll(documents(path));
      }
    }
    if (k.has("configMapGenerator")
        && !k.path("generatorOptions").path("disableNameSuffixHash").asBoolean()) {
      throw new IllegalArgumentException(dir + ": name hashes of generated maps not rendered");
    }
    for (JsonNode generator : k.path("configMapGenerator")) {
      ObjectNode map = YAML.createObjectNode();
      map.put("apiVersion", "v1");
      map.put("kind", "ConfigMap");
      map.putObject("metadata").put("name", generator.get("name").asText());
      ObjectNode data = map.putObject("data");
      for (JsonNode file : generator.path("files")) {
        String spec = file.asText();
        int eq = spec.indexOf('=');
        Path path = dir.resolve(eq < 0 ? spec : spec.substring(eq + 1));
        data.put(
            eq < 0 ? path.getFileName().toString() : spec.substring(0, eq), Files.readString(path));
      }
      resources.add(map);
    }
    for (JsonNode patch : k.path("patches")) {
      JsonNode body =
          patch.has("path")
              ? YAML.readTree(Files.readString(dir.resolve(patch.get("path").asText())))
              : YAML.readTree(patch.get("patch").asText());
      JsonNode target = patch.get("target");
      for (ObjectNode resource : resources) {
        if (target != null ? matches(resource, target) : sameObject(resource, body)) {
          if (body.isArray()) {
            jsonPatch(resource, (ArrayNode) body);
          } else {
            ObjectNode merge = body.deepCopy();
            if (target != null) {
              // kustomize ignores a targeted patch's own name
              ((ObjectNode) merge.path("metadata")).remove("name");
            }
            mergePatch(resource, merge);
          }
        }
      }
    }
    if (k.has("namespace")) {
      for (ObjectNode resource : resources) {
        ((ObjectNode) resource.get("metadata")).put("namespace", k.get("namespace").asText());
      }
    }
    return resources;
  }

  /** Every document of a YAML file (comments and {@code ---} separators allowed). */
  static List<ObjectNode> documents(Path file) throws IOException {
    List<ObjectNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(Files.readString(file))) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject()) {
          docs.add((ObjectNode) doc);
        }
      }
    }
    return docs;
  }

  static String id(JsonNode resource) {
    return resource.path("kind").asText()
        + "/"
        + resource.path("metadata").path("namespace").asText("")
        + "/"
        + resource.path("metadata").path("name").asText();
  }

  private static boolean matches(JsonNode resource, JsonNode target) {
    for (Map.Entry<String, String> selector :
        Map.of("kind", "kind", "name", "metadata.name").entrySet()) {
      if (target.has(selector.getKey())) {
        JsonNode value =
            selector.getKey().equals("kind")
                ? resource.path("kind")
                : resource.path("metadata").path("name");
        if (!value.asText().equals(target.get(selector.getKey()).asText())) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean sameObject(JsonNode resource, JsonNode patch) {
    return resource.path("kind").equals(patch.path("kind"))
        && resource.path("metadata").path("name").equals(patch.path("metadata").path("name"));
  }

  /** RFC 7386: objects merge, null removes, anything else replaces. */
  static void mergePatch(ObjectNode target, JsonNode patch) {
    patch
        .fields()
        .forEachRemaining(
            field -> {
              JsonNode value = field.getValue();
              if (value.isNull()) {
                target.remove(field.getKey());
              } else if (value.isObject() && target.get(field.getKey()) instanceof ObjectNode o) {
                mergePatch(o, value);
              } else {
                target.set(field.getKey(), value.deepCopy());
              }
            });
  }

  /** RFC 6902's add, replace and remove, on object members and array indexes. */
  private static void jsonPatch(ObjectNode resource, ArrayNode operations) {
    for (JsonNode op : operations) {
      String[] path = op.get("path").asText().substring(1).split("/");
      JsonNode parent = resource;
      for (int i = 0; i < path.length - 1; i++) {
        parent =
            parent.isArray()
                ? parent.get(Integer.parseInt(path[i]))
                : parent.get(unescape(path[i]));
      }
      String last = unescape(path[path.length - 1]);
      switch (op.get("op").asText()) {
        case "add", "replace" -> {
          if (parent instanceof ArrayNode array) {
            int index = Integer.parseInt(last);
            if (op.get("op").asText().equals("add")) {
              array.insert(index, op.get("value"));
            } else {
              array.set(index, op.get("value"));
            }
          } else {
            if (op.get("op").asText().equals("replace") && !parent.has(last)) {
              throw new IllegalArgumentException("replace of a missing " + op.get("path"));
            }
            ((ObjectNode) parent).set(last, op.get("value"));
          }
        }
        case "remove" -> {
          if (parent instanceof ArrayNode array) {
            array.remove(Integer.parseInt(last));
          } else {
            ((ObjectNode) parent).remove(last);
          }
        }
        default -> throw new IllegalArgumentException("JSON patch op not rendered: " + op);
      }
    }
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
