// Shared plumbing for the addon: the tensor box handed to JavaScript, argument conversion, and error mapping.
// The addon is deliberately thin: each exported function is one libtorch op, named as in PyTorch.
#pragma once

#define NAPI_VERSION 8
#define NODE_ADDON_API_DISABLE_DEPRECATED
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/version.h>

#include <atomic>
#include <string>
#include <vector>

namespace ia {

constexpr uint32_t kBoxMagic = 0x7e5a0b0c;

// A JS handle owns one at::Tensor. dispose() releases the storage at once; the box itself is freed by the
// GC finalizer (it is a few bytes), so hot loops never wait on the collector for tensor memory.
struct TensorBox {
  uint32_t magic = kBoxMagic;
  at::Tensor t;
};

extern std::atomic<int64_t> g_live_tensors;

Napi::Value Wrap(Napi::Env env, at::Tensor t);
at::Tensor& Unwrap(const Napi::Value& v, const char* what = "tensor");
bool IsTensor(const Napi::Value& v);
void Dispose(const Napi::Value& v);

at::ScalarType ParseDtype(const Napi::Value& v);
std::string DtypeName(at::ScalarType t);
c10::Device ParseDevice(const Napi::Value& v);
std::vector<int64_t> ParseShape(const Napi::Value& v, const char* what = "shape");
std::vector<at::Tensor> ParseTensorList(const Napi::Value& v);
c10::optional<at::Tensor> OptTensor(const Napi::Value& v);
at::Scalar ParseScalar(const Napi::Value& v);

// Every exported function is wrapped so a c10::Error (shape mismatch, bad dtype...) becomes a JS Error with
// libtorch's message, instead of terminating the process.
using Fn = Napi::Value (*)(const Napi::CallbackInfo&);
template <Fn F>
Napi::Value Guard(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error& e) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), std::string("libtorch: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("native: ") + e.what());
  }
}

void RegisterCreation(Napi::Env env, Napi::Object exports);
void RegisterOps(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);

#define IA_EXPORT(exports, name, fn) \
  (exports).Set(name, Napi::Function::New((exports).Env(), ::ia::Guard<fn>, name))

}  // namespace ia
