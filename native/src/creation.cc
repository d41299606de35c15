// Tensor creation, data transfer to/from JavaScript, metadata, RNG and runtime settings.
#include <cstring>

#include "common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <mutex>

namespace ia {

static at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t dtypeArg, size_t deviceArg,
                              at::ScalarType fallback = at::kFloat) {
  auto dtype = info.Length() > dtypeArg && !info[dtypeArg].IsUndefined() ? ParseDtype(info[dtypeArg]) : fallback;
  auto device = info.Length() > deviceArg ? ParseDevice(info[deviceArg]) : c10::Device(c10::kCPU);
  return at::TensorOptions().dtype(dtype).device(device);
}

// from_buffer(typedArray|arrayBuffer, shape, dtype, device?) — copies the bytes; the JS memory is not shared.
static Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  const uint8_t* data;
  size_t bytes;
  if (info[0].IsTypedArray()) {
    auto ta = info[0].As<Napi::TypedArray>();
    auto ab = ta.ArrayBuffer();
    data = static_cast<const uint8_t*>(ab.Data()) + ta.ByteOffset();
    bytes = ta.ByteLength();
  } else if (info[0].IsArrayBuffer()) {
    auto ab = info[0].As<Napi::ArrayBuffer>();
    data = static_cast<const uint8_t*>(ab.Data());
    bytes = ab.ByteLength();
  } else {
    throw Napi::TypeError::New(info.Env(), "from_buffer: expected a TypedArray or ArrayBuffer");
  }
  auto shape = ParseShape(info[1]);
  auto dtype = ParseDtype(info[2]);
  auto t = at::empty(shape, at::TensorOptions().dtype(dtype));
  size_t want = t.numel() * t.element_size();
  if (want != bytes)
    throw Napi::RangeError::New(info.Env(), "from_buffer: " + std::to_string(bytes) + " bytes for a tensor of " +
                                                std::to_string(want) + " bytes");
  if (bytes) std::memcpy(t.data_ptr(), data, bytes);
  if (info.Length() > 3 && !info[3].IsUndefined()) t = t.to(ParseDevice(info[3]));
  return Wrap(info.Env(), t);
}

// to_buffer(t) — a copy of the contiguous CPU bytes in a new ArrayBuffer.
static Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  auto t = Unwrap(info[0]).detach().to(c10::kCPU).contiguous();
  size_t bytes = t.numel() * t.element_size();
  auto ab = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes) std::memcpy(ab.Data(), t.data_ptr(), bytes);
  return ab;
}

static Napi::Value Item(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  if (t.numel() != 1) throw Napi::RangeError::New(info.Env(), "item: tensor has " + std::to_string(t.numel()) + " elements");
  if (t.scalar_type() == at::kBool) return Napi::Boolean::New(info.Env(), t.item<bool>());
  return Napi::Number::New(info.Env(), t.item<double>());
}

static Napi::Value Shape(const Napi::CallbackInfo& info) {
  auto sizes = Unwrap(info[0]).sizes();
  auto arr = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) arr.Set(i, Napi::Number::New(info.Env(), double(sizes[i])));
  return arr;
}

static Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DtypeName(Unwrap(info[0]).scalar_type()));
}

static Napi::Value DeviceOf(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), Unwrap(info[0]).device().str());
}

static Napi::Value DisposeFn(const Napi::CallbackInfo& info) {
  Dispose(info[0]);
  return info.Env().Undefined();
}

static Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  if (!IsTensor(info[0])) return Napi::Boolean::New(info.Env(), true);
  return Napi::Boolean::New(info.Env(), !info[0].As<Napi::External<TensorBox>>().Data()->t.defined());
}

static Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(g_live_tensors.load()));
}

static Napi::Value Zeros(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::zeros(ParseShape(info[0]), Opts(info, 1, 2)));
}
static Napi::Value Ones(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::ones(ParseShape(info[0]), Opts(info, 1, 2)));
}
static Napi::Value Empty(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::empty(ParseShape(info[0]), Opts(info, 1, 2)));
}
static Napi::Value Full(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::full(ParseShape(info[0]), ParseScalar(info[1]), Opts(info, 2, 3)));
}
static Napi::Value Arange(const Napi::CallbackInfo& info) {
  double start = info[0].As<Napi::Number>().DoubleValue(), end = info[1].As<Napi::Number>().DoubleValue();
  double step = info[2].As<Napi::Number>().DoubleValue();
  return Wrap(info.Env(), at::arange(start, end, step, Opts(info, 3, 4, at::kLong)));
}
static Napi::Value Randn(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randn(ParseShape(info[0]), Opts(info, 1, 2)));
}
static Napi::Value Rand(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::rand(ParseShape(info[0]), Opts(info, 1, 2)));
}
static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  {
    auto seed = info[0].As<Napi::Number>().Int64Value();
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  if (at::globalContext().hasCUDA()) {
    // Seeds every CUDA device's generator, as torch.manual_seed does.
    auto& hooks = at::detail::getCUDAHooks();
    for (int64_t i = 0; i < hooks.getNumGPUs(); i++) {
      auto gen = at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(i)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(info[0].As<Napi::Number>().Int64Value());
    }
  }
  return info.Env().Undefined();
}
static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}
static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}
static Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().hasCUDA());
}
static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(at::globalContext().hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0));
}
static Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  if (at::globalContext().hasCUDA()) at::detail::getCUDAHooks().deviceSynchronize(at::detail::getCUDAHooks().current_device());
  return info.Env().Undefined();
}
static Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("torchVersion", Napi::String::New(info.Env(), TORCH_VERSION));
  o.Set("hasSdpa", Napi::Boolean::New(info.Env(), TORCH_VERSION_MAJOR >= 2));
  o.Set("parallelInfo", Napi::String::New(info.Env(), at::get_parallel_info()));
  return o;
}

void RegisterCreation(Napi::Env env, Napi::Object exports) {
  IA_EXPORT(exports, "from_buffer", FromBuffer);
  IA_EXPORT(exports, "to_buffer", ToBuffer);
  IA_EXPORT(exports, "item", Item);
  IA_EXPORT(exports, "shape", Shape);
  IA_EXPORT(exports, "dtype", Dtype);
  IA_EXPORT(exports, "device", DeviceOf);
  IA_EXPORT(exports, "dispose", DisposeFn);
  IA_EXPORT(exports, "is_disposed", IsDisposed);
  IA_EXPORT(exports, "live_tensors", LiveTensors);
  IA_EXPORT(exports, "zeros", Zeros);
  IA_EXPORT(exports, "ones", Ones);
  IA_EXPORT(exports, "empty", Empty);
  IA_EXPORT(exports, "full", Full);
  IA_EXPORT(exports, "arange", Arange);
  IA_EXPORT(exports, "randn", Randn);
  IA_EXPORT(exports, "rand", Rand);
  IA_EXPORT(exports, "manual_seed", ManualSeed);
  IA_EXPORT(exports, "set_num_threads", SetNumThreads);
  IA_EXPORT(exports, "get_num_threads", GetNumThreads);
  IA_EXPORT(exports, "cuda_is_available", CudaIsAvailable);
  IA_EXPORT(exports, "cuda_device_count", CudaDeviceCount);
  IA_EXPORT(exports, "cuda_synchronize", CudaSynchronize);
  IA_EXPORT(exports, "build_info", BuildInfo);
}

}  // namespace ia
