#pragma once
// The schema of training configs: every key `eqt train` accepts, its type and its default. The
// resolved config (config.yaml in a run directory) is the user's file merged onto these defaults,
// so a run directory always records every setting, also those the user left out.
//
// Keys are dotted paths ("optimiser.lr"). A key of type Any (the model's own sections) is passed
// as it is to the model's parser, which checks it with its own schema.
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace eqt::train {

enum class FieldType { Bool, Int, Float, String, OptionalString, FloatList, Any };

struct Field {
  std::string path;           // "optimiser.lr"
  FieldType type;
  std::string default_yaml;   // YAML text of the default ("5.0e-4", "null", "{}")
  std::string help;           // one line, for the docs and error messages
};

const std::vector<Field>& config_fields();
// nullptr when the path is not a key of the schema.
const Field* find_field(const std::string& path);
// The field of type Any that contains `path` (e.g. "model.equiformer" for
// "model.equiformer.num_layers"), or nullptr.
const Field* enclosing_any_field(const std::string& path);
// True when some field lies below `path` ("optimiser" is a section).
bool is_section(const std::string& path);
// Checks one value against a field's type; throws eqt::Error naming `origin` and the key.
void check_field_type(const Field& field, const YAML::Node& value, const std::string& origin);
std::string field_type_name(FieldType type);

}  // namespace eqt::train
