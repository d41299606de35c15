#include "common.h"

#include <cmath>

namespace ia {

std::atomic<int64_t> g_live_tensors{0};

static void FinalizeBox(Napi::Env, TensorBox* box) {
  if (box->t.defined()) g_live_tensors--;
  delete box;
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  auto* box = new TensorBox();
  box->t = std::move(t);
  g_live_tensors++;
  return Napi::External<TensorBox>::New(env, box, FinalizeBox);
}

static TensorBox* BoxOf(const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  auto* box = v.As<Napi::External<TensorBox>>().Data();
  if (box == nullptr || box->magic != kBoxMagic) return nullptr;
  return box;
}

bool IsTensor(const Napi::Value& v) { return BoxOf(v) != nullptr; }

at::Tensor& Unwrap(const Napi::Value& v, const char* what) {
  auto* box = BoxOf(v);
  if (box == nullptr) throw Napi::TypeError::New(v.Env(), std::string("expected a tensor handle for ") + what);
  if (!box->t.defined()) throw Napi::Error::New(v.Env(), std::string("use of a disposed tensor (") + what + ")");
  return box->t;
}

void Dispose(const Napi::Value& v) {
  auto* box = BoxOf(v);
  if (box == nullptr || !box->t.defined()) return;
  box->t = at::Tensor();
  g_live_tensors--;
}

at::ScalarType ParseDtype(const Napi::Value& v) {
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "float16") return at::kHalf;
  if (s == "int64") return at::kLong;
  if (s == "int32") return at::kInt;
  if (s == "int16") return at::kShort;
  if (s == "int8") return at::kChar;
  if (s == "uint8") return at::kByte;
  if (s == "bool") return at::kBool;
  throw Napi::TypeError::New(v.Env(), "unknown dtype: " + s);
}

std::string DtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return "unsupported";
  }
}

c10::Device ParseDevice(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return c10::Device(c10::kCPU);
  return c10::Device(v.As<Napi::String>().Utf8Value());
}

std::vector<int64_t> ParseShape(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string("expected an array for ") + what);
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

std::vector<at::Tensor> ParseTensorList(const Napi::Value& v) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "expected an array of tensors");
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out.push_back(Unwrap(arr.Get(i), "tensor list"));
  return out;
}

c10::optional<at::Tensor> OptTensor(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return c10::nullopt;
  return Unwrap(v);
}

at::Scalar ParseScalar(const Napi::Value& v) {
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  double d = v.As<Napi::Number>().DoubleValue();
  // Integral JS numbers become integer scalars so int64 tensors stay int64 (PyTorch's promotion rules).
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) return at::Scalar(int64_t(d));
  return at::Scalar(d);
}

}  // namespace ia
