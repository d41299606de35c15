#include "common.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ia::RegisterCreation(env, exports);
  ia::RegisterOps(env, exports);
  ia::RegisterAutograd(env, exports);
  return exports;
}

NODE_API_MODULE(ia_native, Init)
