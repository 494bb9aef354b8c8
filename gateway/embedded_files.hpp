#pragma once
// Files compiled into the gateway (the OpenAPI document): by file name, "" when unknown.
#include <string_view>
namespace appealhub::gateway {
std::string_view embedded_file(std::string_view name);
}
