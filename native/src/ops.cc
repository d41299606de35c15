// Tensor ops, one exported function each, named as in PyTorch. No model logic here.
#include "common.h"

namespace ia {

#define T(i) Unwrap(info[i])
#define I64(i) info[i].As<Napi::Number>().Int64Value()
#define F64(i) info[i].As<Napi::Number>().DoubleValue()
#define BOOL(i) (info.Length() > (i) && info[i].IsBoolean() && info[i].As<Napi::Boolean>().Value())
#define RET(expr) return Wrap(info.Env(), (expr))

#define UNARY(name, expr)                                  \
  static Napi::Value name(const Napi::CallbackInfo& info) { \
    auto& a = T(0);                                        \
    RET(expr);                                             \
  }

UNARY(Neg, at::neg(a))
UNARY(Exp, at::exp(a))
UNARY(Log, at::log(a))
UNARY(Sqrt, at::sqrt(a))
UNARY(Rsqrt, at::rsqrt(a))
UNARY(Abs, at::abs(a))
UNARY(Tanh, at::tanh(a))
UNARY(Sigmoid, at::sigmoid(a))
UNARY(LogSigmoid, at::log_sigmoid(a))
UNARY(Silu, at::silu(a))
UNARY(Relu, at::relu(a))
UNARY(Gelu, at::gelu(a))
UNARY(Cos, at::cos(a))
UNARY(Sin, at::sin(a))
UNARY(Reciprocal, at::reciprocal(a))
UNARY(LogicalNot, at::logical_not(a))
UNARY(Contiguous, a.contiguous())
UNARY(Clone, a.clone())
UNARY(Detach, a.detach())
UNARY(Flatten, a.flatten())
UNARY(Isfinite, at::isfinite(a))

// A scalar on the left takes part in type promotion as a Python number would (int64 - 2.5 -> float).
static at::Tensor WrappedScalar(const at::Scalar& s, const at::Tensor& like) {
  auto t = c10::scalar_to_tensor(s, like.device());
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

// Binary ops accept a tensor or a JS number as either operand.
#define BINARY(name, fn)                                                              \
  static Napi::Value name(const Napi::CallbackInfo& info) {                           \
    bool ta = IsTensor(info[0]), tb = IsTensor(info[1]);                              \
    if (ta && tb) RET(fn(T(0), T(1)));                                                \
    if (ta) RET(fn(T(0), ParseScalar(info[1])));                                      \
    if (tb) RET(fn(WrappedScalar(ParseScalar(info[0]), T(1)), T(1)));                  \
    throw Napi::TypeError::New(info.Env(), #name ": at least one operand must be a tensor"); \
  }

BINARY(Add, at::add)
BINARY(Sub, at::sub)
BINARY(Mul, at::mul)
BINARY(Div, at::div)
BINARY(Pow, at::pow)
BINARY(Eq, at::eq)
BINARY(Ne, at::ne)
BINARY(Lt, at::lt)
BINARY(Le, at::le)
BINARY(Gt, at::gt)
BINARY(Ge, at::ge)
BINARY(Remainder, at::remainder)

static Napi::Value Maximum(const Napi::CallbackInfo& info) { RET(at::maximum(T(0), T(1))); }
static Napi::Value Minimum(const Napi::CallbackInfo& info) { RET(at::minimum(T(0), T(1))); }
static Napi::Value LogicalAnd(const Napi::CallbackInfo& info) { RET(at::logical_and(T(0), T(1))); }
static Napi::Value LogicalOr(const Napi::CallbackInfo& info) { RET(at::logical_or(T(0), T(1))); }
static Napi::Value Clamp(const Napi::CallbackInfo& info) {
  c10::optional<at::Scalar> lo, hi;
  if (!info[1].IsNull() && !info[1].IsUndefined()) lo = ParseScalar(info[1]);
  if (!info[2].IsNull() && !info[2].IsUndefined()) hi = ParseScalar(info[2]);
  RET(at::clamp(T(0), lo, hi));
}
static Napi::Value Where(const Napi::CallbackInfo& info) {
  bool ta = IsTensor(info[1]), tb = IsTensor(info[2]);
  if (ta && tb) RET(at::where(T(0), T(1), T(2)));
  if (ta) RET(at::where(T(0), T(1), ParseScalar(info[2])));
  if (tb) RET(at::where(T(0), ParseScalar(info[1]), T(2)));
  RET(at::where(T(0), ParseScalar(info[1]), ParseScalar(info[2])));
}
static Napi::Value MaskedFill(const Napi::CallbackInfo& info) { RET(at::masked_fill(T(0), T(1), ParseScalar(info[2]))); }

// ---- linear algebra ----
static Napi::Value Matmul(const Napi::CallbackInfo& info) { RET(at::matmul(T(0), T(1))); }
static Napi::Value Bmm(const Napi::CallbackInfo& info) { RET(at::bmm(T(0), T(1))); }
static Napi::Value Mv(const Napi::CallbackInfo& info) { RET(at::mv(T(0), T(1))); }
static Napi::Value Linear(const Napi::CallbackInfo& info) { RET(at::linear(T(0), T(1), OptTensor(info[2]))); }
static Napi::Value Embedding(const Napi::CallbackInfo& info) { RET(at::embedding(T(0), T(1))); }

// ---- reductions; dims = null means all ----
static at::OptionalIntArrayRef Dims(const Napi::Value& v, std::vector<int64_t>& store) {
  if (v.IsUndefined() || v.IsNull()) return c10::nullopt;
  if (v.IsNumber()) store = {v.As<Napi::Number>().Int64Value()};
  else store = ParseShape(v, "dims");
  return at::IntArrayRef(store);
}
static Napi::Value Sum(const Napi::CallbackInfo& info) {
  std::vector<int64_t> s;
  auto d = Dims(info[1], s);
  if (!d.has_value()) RET(at::sum(T(0)));
  RET(at::sum(T(0), *d, BOOL(2)));
}
static Napi::Value Mean(const Napi::CallbackInfo& info) {
  std::vector<int64_t> s;
  auto d = Dims(info[1], s);
  if (!d.has_value()) RET(at::mean(T(0)));
  RET(at::mean(T(0), *d, BOOL(2)));
}
static Napi::Value Amax(const Napi::CallbackInfo& info) {
  std::vector<int64_t> s;
  auto d = Dims(info[1], s);
  RET(at::amax(T(0), d.has_value() ? *d : at::IntArrayRef{}, BOOL(2)));
}
static Napi::Value Argmax(const Napi::CallbackInfo& info) { RET(at::argmax(T(0), I64(1), BOOL(2))); }
static Napi::Value Logsumexp(const Napi::CallbackInfo& info) { RET(at::logsumexp(T(0), {I64(1)}, BOOL(2))); }
static Napi::Value Cumsum(const Napi::CallbackInfo& info) { RET(at::cumsum(T(0), I64(1))); }
static Napi::Value Softmax(const Napi::CallbackInfo& info) { RET(at::softmax(T(0), I64(1))); }
static Napi::Value LogSoftmax(const Napi::CallbackInfo& info) { RET(at::log_softmax(T(0), I64(1))); }
static Napi::Value Norm(const Napi::CallbackInfo& info) { RET(at::norm(T(0))); }

// ---- shape and indexing ----
static Napi::Value Reshape(const Napi::CallbackInfo& info) { RET(at::reshape(T(0), ParseShape(info[1]))); }
static Napi::Value View(const Napi::CallbackInfo& info) { RET(T(0).view(ParseShape(info[1]))); }
static Napi::Value Transpose(const Napi::CallbackInfo& info) { RET(at::transpose(T(0), I64(1), I64(2))); }
static Napi::Value Permute(const Napi::CallbackInfo& info) { RET(T(0).permute(ParseShape(info[1]))); }
static Napi::Value Unsqueeze(const Napi::CallbackInfo& info) { RET(at::unsqueeze(T(0), I64(1))); }
static Napi::Value Squeeze(const Napi::CallbackInfo& info) { RET(at::squeeze(T(0), I64(1))); }
static Napi::Value Expand(const Napi::CallbackInfo& info) { RET(T(0).expand(ParseShape(info[1]))); }
static Napi::Value Narrow(const Napi::CallbackInfo& info) { RET(at::narrow(T(0), I64(1), I64(2), I64(3))); }
static Napi::Value Select(const Napi::CallbackInfo& info) { RET(at::select(T(0), I64(1), I64(2))); }
static Napi::Value Cat(const Napi::CallbackInfo& info) { RET(at::cat(ParseTensorList(info[0]), I64(1))); }
static Napi::Value Stack(const Napi::CallbackInfo& info) { RET(at::stack(ParseTensorList(info[0]), I64(1))); }
static Napi::Value IndexSelect(const Napi::CallbackInfo& info) { RET(at::index_select(T(0), I64(1), T(2))); }
static Napi::Value Gather(const Napi::CallbackInfo& info) { RET(at::gather(T(0), I64(1), T(2))); }
static Napi::Value Tril(const Napi::CallbackInfo& info) { RET(at::tril(T(0), I64(1))); }
static Napi::Value Triu(const Napi::CallbackInfo& info) { RET(at::triu(T(0), I64(1))); }
static Napi::Value RepeatInterleave(const Napi::CallbackInfo& info) {
  RET(at::repeat_interleave(T(0), I64(1), I64(2)));
}
static Napi::Value To(const Napi::CallbackInfo& info) {
  // to(t, dtype|null, device|null)
  auto& a = T(0);
  auto dtype = info[1].IsNull() || info[1].IsUndefined() ? a.scalar_type() : ParseDtype(info[1]);
  auto device = info[2].IsNull() || info[2].IsUndefined() ? a.device() : ParseDevice(info[2]);
  RET(a.to(device, dtype));
}

// ---- nn ----
static Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  // cross_entropy(logits[N,C], target[N], ignore_index, reduction: "mean"|"sum"|"none")
  std::string red = info[3].As<Napi::String>().Utf8Value();
  int64_t r = red == "sum" ? at::Reduction::Sum : red == "none" ? at::Reduction::None : at::Reduction::Mean;
  RET(at::cross_entropy_loss(T(0), T(1), {}, r, I64(2)));
}
static Napi::Value Dropout(const Napi::CallbackInfo& info) { RET(at::dropout(T(0), F64(1), BOOL(2))); }
static Napi::Value ScaledDotProductAttention(const Napi::CallbackInfo& info) {
  // sdpa(q, k, v, mask|null, is_causal, scale|null) — the fused kernel on PyTorch >= 2; TS composes it otherwise.
#if TORCH_VERSION_MAJOR >= 2
  c10::optional<double> scale;
  if (info.Length() > 5 && info[5].IsNumber()) scale = F64(5);
  RET(at::scaled_dot_product_attention(T(0), T(1), T(2), OptTensor(info[3]), 0.0, BOOL(4), scale));
#else
  throw Napi::Error::New(info.Env(), "scaled_dot_product_attention needs libtorch >= 2.0");
#endif
}

// ---- sampling ----
static Napi::Value Multinomial(const Napi::CallbackInfo& info) { RET(at::multinomial(T(0), I64(1), BOOL(2))); }
static Napi::Value Topk(const Napi::CallbackInfo& info) {
  auto [vals, idx] = at::topk(T(0), I64(1), I64(2));
  auto arr = Napi::Array::New(info.Env(), 2);
  arr.Set(0u, Wrap(info.Env(), vals));
  arr.Set(1u, Wrap(info.Env(), idx));
  return arr;
}
static Napi::Value Sort(const Napi::CallbackInfo& info) {
  auto [vals, idx] = at::sort(T(0), I64(1), BOOL(2));
  auto arr = Napi::Array::New(info.Env(), 2);
  arr.Set(0u, Wrap(info.Env(), vals));
  arr.Set(1u, Wrap(info.Env(), idx));
  return arr;
}

// ---- in-place (used for KV caches, merges, optimizers) ----
static Napi::Value Copy_(const Napi::CallbackInfo& info) {
  T(0).copy_(T(1));
  return info.Env().Undefined();
}
static Napi::Value Zero_(const Napi::CallbackInfo& info) {
  T(0).zero_();
  return info.Env().Undefined();
}
static Napi::Value Add_(const Napi::CallbackInfo& info) {
  // add_(a, b, alpha=1)
  double alpha = info.Length() > 2 && info[2].IsNumber() ? F64(2) : 1.0;
  T(0).add_(T(1), alpha);
  return info.Env().Undefined();
}
static Napi::Value Mul_(const Napi::CallbackInfo& info) {
  if (IsTensor(info[1])) T(0).mul_(T(1));
  else T(0).mul_(ParseScalar(info[1]));
  return info.Env().Undefined();
}

void RegisterOps(Napi::Env env, Napi::Object exports) {
  IA_EXPORT(exports, "neg", Neg);
  IA_EXPORT(exports, "exp", Exp);
  IA_EXPORT(exports, "log", Log);
  IA_EXPORT(exports, "sqrt", Sqrt);
  IA_EXPORT(exports, "rsqrt", Rsqrt);
  IA_EXPORT(exports, "abs", Abs);
  IA_EXPORT(exports, "tanh", Tanh);
  IA_EXPORT(exports, "sigmoid", Sigmoid);
  IA_EXPORT(exports, "log_sigmoid", LogSigmoid);
  IA_EXPORT(exports, "silu", Silu);
  IA_EXPORT(exports, "relu", Relu);
  IA_EXPORT(exports, "gelu", Gelu);
  IA_EXPORT(exports, "cos", Cos);
  IA_EXPORT(exports, "sin", Sin);
  IA_EXPORT(exports, "reciprocal", Reciprocal);
  IA_EXPORT(exports, "logical_not", LogicalNot);
  IA_EXPORT(exports, "contiguous", Contiguous);
  IA_EXPORT(exports, "clone", Clone);
  IA_EXPORT(exports, "detach", Detach);
  IA_EXPORT(exports, "flatten", Flatten);
  IA_EXPORT(exports, "isfinite", Isfinite);
  IA_EXPORT(exports, "add", Add);
  IA_EXPORT(exports, "sub", Sub);
  IA_EXPORT(exports, "mul", Mul);
  IA_EXPORT(exports, "div", Div);
  IA_EXPORT(exports, "pow", Pow);
  IA_EXPORT(exports, "eq", Eq);
  IA_EXPORT(exports, "ne", Ne);
  IA_EXPORT(exports, "lt", Lt);
  IA_EXPORT(exports, "le", Le);
  IA_EXPORT(exports, "gt", Gt);
  IA_EXPORT(exports, "ge", Ge);
  IA_EXPORT(exports, "remainder", Remainder);
  IA_EXPORT(exports, "maximum", Maximum);
  IA_EXPORT(exports, "minimum", Minimum);
  IA_EXPORT(exports, "logical_and", LogicalAnd);
  IA_EXPORT(exports, "logical_or", LogicalOr);
  IA_EXPORT(exports, "clamp", Clamp);
  IA_EXPORT(exports, "where", Where);
  IA_EXPORT(exports, "masked_fill", MaskedFill);
  IA_EXPORT(exports, "matmul", Matmul);
  IA_EXPORT(exports, "bmm", Bmm);
  IA_EXPORT(exports, "mv", Mv);
  IA_EXPORT(exports, "linear", Linear);
  IA_EXPORT(exports, "embedding", Embedding);
  IA_EXPORT(exports, "sum", Sum);
  IA_EXPORT(exports, "mean", Mean);
  IA_EXPORT(exports, "amax", Amax);
  IA_EXPORT(exports, "argmax", Argmax);
  IA_EXPORT(exports, "logsumexp", Logsumexp);
  IA_EXPORT(exports, "cumsum", Cumsum);
  IA_EXPORT(exports, "softmax", Softmax);
  IA_EXPORT(exports, "log_softmax", LogSoftmax);
  IA_EXPORT(exports, "norm", Norm);
  IA_EXPORT(exports, "reshape", Reshape);
  IA_EXPORT(exports, "view", View);
  IA_EXPORT(exports, "transpose", Transpose);
  IA_EXPORT(exports, "permute", Permute);
  IA_EXPORT(exports, "unsqueeze", Unsqueeze);
  IA_EXPORT(exports, "squeeze", Squeeze);
  IA_EXPORT(exports, "expand", Expand);
  IA_EXPORT(exports, "narrow", Narrow);
  IA_EXPORT(exports, "select", Select);
  IA_EXPORT(exports, "cat", Cat);
  IA_EXPORT(exports, "stack", Stack);
  IA_EXPORT(exports, "index_select", IndexSelect);
  IA_EXPORT(exports, "gather", Gather);
  IA_EXPORT(exports, "tril", Tril);
  IA_EXPORT(exports, "triu", Triu);
  IA_EXPORT(exports, "repeat_interleave", RepeatInterleave);
  IA_EXPORT(exports, "to", To);
  IA_EXPORT(exports, "cross_entropy", CrossEntropy);
  IA_EXPORT(exports, "dropout", Dropout);
  IA_EXPORT(exports, "scaled_dot_product_attention", ScaledDotProductAttention);
  IA_EXPORT(exports, "multinomial", Multinomial);
  IA_EXPORT(exports, "topk", Topk);
  IA_EXPORT(exports, "sort", Sort);
  IA_EXPORT(exports, "copy_", Copy_);
  IA_EXPORT(exports, "zero_", Zero_);
  IA_EXPORT(exports, "add_", Add_);
  IA_EXPORT(exports, "mul_", Mul_);
}

}  // namespace ia
