// Autograd and the optimizer kernels. The optimizer update is one native call over the whole parameter list
// (as PyTorch's foreach/fused AdamW), so a step costs one N-API crossing, not six per parameter.
#include "common.h"

namespace ia {

static Napi::Value RequiresGrad_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).requires_grad_(info[1].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}
static Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).requires_grad());
}
static Napi::Value Backward(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  if (info.Length() > 1 && IsTensor(info[1])) t.backward(Unwrap(info[1]));
  else t.backward();
  return info.Env().Undefined();
}
static Napi::Value Grad(const Napi::CallbackInfo& info) {
  auto g = Unwrap(info[0]).grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}
static Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  // Drops the .grad of each parameter (set_to_none semantics): cheaper than zeroing, and the next backward allocates.
  for (auto& p : ParseTensorList(info[0])) p.mutable_grad() = at::Tensor();
  return info.Env().Undefined();
}
static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}
static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// clip_grad_norm_(params, max_norm) -> total L2 norm of the gradients before clipping (as torch.nn.utils).
static Napi::Value ClipGradNorm_(const Napi::CallbackInfo& info) {
  at::NoGradGuard ng;
  auto params = ParseTensorList(info[0]);
  double maxNorm = info[1].As<Napi::Number>().DoubleValue();
  std::vector<at::Tensor> norms;
  for (auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().detach().to(at::kFloat).norm());
  if (norms.empty()) return Napi::Number::New(info.Env(), 0.0);
  double total = at::stack(norms).norm().item<double>();
  if (std::isfinite(total) && total > maxNorm) {
    double coef = maxNorm / (total + 1e-6);
    for (auto& p : params)
      if (p.grad().defined()) p.mutable_grad().mul_(coef);
  }
  return Napi::Number::New(info.Env(), total);
}

// adamw_step_(params, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay)
// Decoupled weight decay (Loshchilov & Hutter), bias-corrected moments: identical to torch.optim.AdamW
// (amsgrad=False, maximize=False). Parameters without a gradient are skipped.
static Napi::Value AdamwStep_(const Napi::CallbackInfo& info) {
  at::NoGradGuard ng;
  auto params = ParseTensorList(info[0]);
  auto m = ParseTensorList(info[1]);
  auto v = ParseTensorList(info[2]);
  double step = info[3].As<Napi::Number>().DoubleValue();
  double lr = info[4].As<Napi::Number>().DoubleValue();
  double b1 = info[5].As<Napi::Number>().DoubleValue();
  double b2 = info[6].As<Napi::Number>().DoubleValue();
  double eps = info[7].As<Napi::Number>().DoubleValue();
  double wd = info[8].As<Napi::Number>().DoubleValue();
  if (params.size() != m.size() || params.size() != v.size())
    throw Napi::Error::New(info.Env(), "adamw_step_: state lists do not match the parameter list");
  double bc1 = 1.0 - std::pow(b1, step), bc2 = 1.0 - std::pow(b2, step);
  double stepSize = lr / bc1, bc2Sqrt = std::sqrt(bc2);
  for (size_t i = 0; i < params.size(); i++) {
    auto& p = params[i];
    if (!p.grad().defined()) continue;
    auto g = p.grad();
    if (wd != 0) p.mul_(1.0 - lr * wd);
    m[i].mul_(b1).add_(g, 1.0 - b1);
    v[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
    auto denom = (v[i].sqrt() / bc2Sqrt).add_(eps);
    p.addcdiv_(m[i], denom, -stepSize);
  }
  return info.Env().Undefined();
}

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  IA_EXPORT(exports, "requires_grad_", RequiresGrad_);
  IA_EXPORT(exports, "requires_grad", RequiresGrad);
  IA_EXPORT(exports, "backward", Backward);
  IA_EXPORT(exports, "grad", Grad);
  IA_EXPORT(exports, "zero_grad", ZeroGrad);
  IA_EXPORT(exports, "set_grad_enabled", SetGradEnabled);
  IA_EXPORT(exports, "is_grad_enabled", IsGradEnabled);
  IA_EXPORT(exports, "clip_grad_norm_", ClipGradNorm_);
  IA_EXPORT(exports, "adamw_step_", AdamwStep_);
}

}  // namespace ia
