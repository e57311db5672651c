// What N-API itself costs on this machine, for the hot-path marshalling of checkSession: a tiny
// C addon whose functions each do one piece of the work (read the request's properties, copy the
// Cookie header, build the decision object, make a resolved promise), with and without cached
// property keys. Not part of the package; built and run by bench/napi-floor/run.mjs.

// Built with NAPI_EXPERIMENTAL so that references to strings are allowed (Node 20 allows them only
// for experimental modules; Node >= 22.14 in Node-API 10). The "array of keys" rows use only
// stable Node-API 8, as napi-rs does.
#define NAPI_EXPERIMENTAL
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#define CALL(x) do { if ((x) != napi_ok) return NULL; } while (0)

enum {
  K_URL, K_METHOD, K_HEADERS, K_COOKIE, K_GET, K_ACTION, K_REASON, K_SETCOOKIE, K_HEADERS2, K_ACCESS, K_EXPIRES,
  K_CONTINUE, K_VALID, K_COUNT
};
static const char *NAMES[K_COUNT] = {
  "url", "method", "headers", "cookie", "get", "action", "reason", "setCookie", "headers", "accessToken", "expiresAt",
  "continue", "valid"
};
static napi_ref keys[K_COUNT];
static napi_ref key_array; // the same keys as elements of one referenced array (stable N-API)
static napi_ref make_decision;  // (token, exp) => ({ action: 'continue', ... }), compiled once
static napi_ref make_resolved;  // (token, exp) => Promise.resolve({ action: 'continue', ... })

static napi_value key(napi_env env, int k) {
  napi_value v;
  napi_get_reference_value(env, keys[k], &v);
  return v;
}

static napi_value arg0(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argv[0];
}

static napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// 1. An empty call.
static napi_value noop(napi_env env, napi_callback_info info) { return undef(env); }

// 2. The request's properties by C-string name (what the engine does now): url, method, headers,
//    headers.get (absent on a plain object), headers.cookie.
static napi_value read_named(napi_env env, napi_callback_info info) {
  napi_value req = arg0(env, info), v, h;
  CALL(napi_get_named_property(env, req, "url", &v));
  CALL(napi_get_named_property(env, req, "method", &v));
  CALL(napi_get_named_property(env, req, "headers", &h));
  CALL(napi_get_named_property(env, h, "get", &v));
  CALL(napi_get_named_property(env, h, "cookie", &v));
  return v;
}

// 3. The same reads with keys created once and kept in references (internalized strings).
static napi_value read_cached(napi_env env, napi_callback_info info) {
  napi_value req = arg0(env, info), v, h;
  CALL(napi_get_property(env, req, key(env, K_URL), &v));
  CALL(napi_get_property(env, req, key(env, K_METHOD), &v));
  CALL(napi_get_property(env, req, key(env, K_HEADERS), &h));
  CALL(napi_get_property(env, h, key(env, K_COOKIE), &v));
  return v;
}

// 3b. The same reads, keys taken from one referenced array (stable N-API 8).
static napi_value read_array_keys(napi_env env, napi_callback_info info) {
  napi_value req = arg0(env, info), v, h, arr, k;
  CALL(napi_get_reference_value(env, key_array, &arr));
  CALL(napi_get_element(env, arr, K_URL, &k));
  CALL(napi_get_property(env, req, k, &v));
  CALL(napi_get_element(env, arr, K_METHOD, &k));
  CALL(napi_get_property(env, req, k, &v));
  CALL(napi_get_element(env, arr, K_HEADERS, &k));
  CALL(napi_get_property(env, req, k, &h));
  CALL(napi_get_element(env, arr, K_COOKIE, &k));
  CALL(napi_get_property(env, h, k, &v));
  return v;
}

// 3c. Keys made per call with node_api_create_property_key_latin1 (experimental in Node 20).
static napi_value read_property_key(napi_env env, napi_callback_info info) {
  napi_value req = arg0(env, info), v, h, k;
  CALL(node_api_create_property_key_latin1(env, "url", 3, &k));
  CALL(napi_get_property(env, req, k, &v));
  CALL(node_api_create_property_key_latin1(env, "method", 6, &k));
  CALL(napi_get_property(env, req, k, &v));
  CALL(node_api_create_property_key_latin1(env, "headers", 7, &k));
  CALL(napi_get_property(env, req, k, &h));
  CALL(node_api_create_property_key_latin1(env, "cookie", 6, &k));
  CALL(napi_get_property(env, h, k, &v));
  return v;
}

// 4. Copying a string: length pass, then a zeroed heap buffer (what the engine does now).
static napi_value copy_two_pass(napi_env env, napi_callback_info info) {
  napi_value s = arg0(env, info);
  size_t len, written;
  CALL(napi_get_value_string_utf8(env, s, NULL, 0, &len));
  char *buf = calloc(len + 1, 1);
  napi_get_value_string_utf8(env, s, buf, len + 1, &written);
  free(buf);
  return undef(env);
}

// 5. One pass into a stack buffer (UTF-8).
static napi_value copy_stack_utf8(napi_env env, napi_callback_info info) {
  char buf[8192];
  size_t written;
  CALL(napi_get_value_string_utf8(env, arg0(env, info), buf, sizeof buf, &written));
  return undef(env);
}

// 6. One pass into a stack buffer (Latin-1: a plain copy for V8's one-byte strings).
static napi_value copy_stack_latin1(napi_env env, napi_callback_info info) {
  char buf[8192];
  size_t written;
  CALL(napi_get_value_string_latin1(env, arg0(env, info), buf, sizeof buf, &written));
  return undef(env);
}

static const char TOKEN[] =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzk2NDAwNjI3LCJpYXQiOjE"
  "3OTYzOTk3MjcsImp0aSI6Ijk4ZjRkMGY0ZGFjZTE5NGM3ZTY0ZDdjZmQ0Yzk0YmFkIiwidXNlcl9pZCI6NDJ9.oKo_IvL9mZ5tLg"
  "1iSYPwDpkL3NbBJ0muG9JHT7fpdGE";

// 7. The fresh decision object, field by field with C-string names and new strings (as now).
static napi_value result_named(napi_env env, napi_callback_info info) {
  napi_value o, v;
  CALL(napi_create_object(env, &o));
  CALL(napi_create_string_utf8(env, "continue", NAPI_AUTO_LENGTH, &v));
  CALL(napi_set_named_property(env, o, "action", v));
  CALL(napi_create_string_utf8(env, "valid", NAPI_AUTO_LENGTH, &v));
  CALL(napi_set_named_property(env, o, "reason", v));
  CALL(napi_create_array_with_length(env, 0, &v));
  CALL(napi_set_named_property(env, o, "setCookie", v));
  CALL(napi_create_object(env, &v));
  CALL(napi_set_named_property(env, o, "headers", v));
  CALL(napi_create_string_utf8(env, TOKEN, sizeof TOKEN - 1, &v));
  CALL(napi_set_named_property(env, o, "accessToken", v));
  CALL(napi_create_double(env, 1796400627, &v));
  CALL(napi_set_named_property(env, o, "expiresAt", v));
  return o;
}

// 8. The same object with cached keys and cached 'continue'/'valid' strings, in one
//    napi_define_properties call, the token made from Latin-1.
static napi_value result_cached(napi_env env, napi_callback_info info) {
  napi_value o, arr, hdr, tok, exp;
  CALL(napi_create_object(env, &o));
  CALL(napi_create_array_with_length(env, 0, &arr));
  CALL(napi_create_object(env, &hdr));
  CALL(napi_create_string_latin1(env, TOKEN, sizeof TOKEN - 1, &tok));
  CALL(napi_create_double(env, 1796400627, &exp));
  napi_property_descriptor d[6] = {
    { NULL, key(env, K_ACTION), NULL, NULL, NULL, key(env, K_CONTINUE), napi_default_jsproperty, NULL },
    { NULL, key(env, K_REASON), NULL, NULL, NULL, key(env, K_VALID), napi_default_jsproperty, NULL },
    { NULL, key(env, K_SETCOOKIE), NULL, NULL, NULL, arr, napi_default_jsproperty, NULL },
    { NULL, key(env, K_HEADERS2), NULL, NULL, NULL, hdr, napi_default_jsproperty, NULL },
    { NULL, key(env, K_ACCESS), NULL, NULL, NULL, tok, napi_default_jsproperty, NULL },
    { NULL, key(env, K_EXPIRES), NULL, NULL, NULL, exp, napi_default_jsproperty, NULL },
  };
  CALL(napi_define_properties(env, o, 6, d));
  return o;
}

// 9. A resolved promise.
static napi_value resolved(napi_env env, napi_callback_info info) {
  napi_deferred def;
  napi_value p;
  CALL(napi_create_promise(env, &def, &p));
  napi_resolve_deferred(env, def, undef(env));
  return p;
}

// 10. Returning two numbers (where the token sits in the Cookie header, its exp) instead of an
//     object: the JavaScript side slices the token and builds the decision.
static napi_value two_numbers(napi_env env, napi_callback_info info) {
  napi_value arr, a, b;
  CALL(napi_create_array_with_length(env, 2, &arr));
  napi_create_double(env, 700, &a);
  napi_create_double(env, 1796400627, &b);
  napi_set_element(env, arr, 0, a);
  napi_set_element(env, arr, 1, b);
  return arr;
}

// 11. One number (expiry, or a code), the cheapest possible answer.
static napi_value one_number(napi_env env, napi_callback_info info) {
  napi_value v;
  arg0(env, info);
  napi_create_double(env, 1796400627, &v);
  return v;
}

// 12. The decision object made by a JavaScript function that native code calls: compiled once at
//     load (napi_run_script), so no hand-written JS entry point is needed.
static napi_value via_factory(napi_env env, napi_ref factory) {
  napi_value fn, recv, argv[2], out;
  CALL(napi_get_reference_value(env, factory, &fn));
  napi_get_undefined(env, &recv);
  CALL(napi_create_string_latin1(env, TOKEN, sizeof TOKEN - 1, &argv[0]));
  CALL(napi_create_double(env, 1796400627, &argv[1]));
  CALL(napi_call_function(env, recv, fn, 2, argv, &out));
  return out;
}
static napi_value factory_object(napi_env env, napi_callback_info info) { return via_factory(env, make_decision); }
static napi_value factory_promise(napi_env env, napi_callback_info info) { return via_factory(env, make_resolved); }

// The value of `access_token=` in a Cookie header, on cookie boundaries: [start, end) in buf.
static int find_access_token(const char *buf, size_t n, size_t *start, size_t *end) {
  const char *name = "access_token=";
  size_t nl = strlen(name), i = 0;
  while (i < n) {
    while (i < n && buf[i] == ' ') i++;
    const char *semi = memchr(buf + i, ';', n - i);
    size_t stop = semi ? (size_t)(semi - buf) : n;
    if (stop - i >= nl && memcmp(buf + i, name, nl) == 0) {
      *start = i + nl;
      *end = stop;
      return *end > *start;
    }
    i = stop + 1;
  }
  return 0;
}

// 13. A sketch of a whole hot path with cheap marshalling: read headers.cookie with a cached
//     key, copy it (Latin-1, stack), find `access_token=` on cookie boundaries, hand the value to
//     the compiled factory, which returns the resolved promise. No JWT decoding here (the engine
//     needs ~100-250 ns more for base64url + JSON of the payload).
static napi_value sketch(napi_env env, napi_callback_info info) {
  napi_value req = arg0(env, info), h, c, fn, recv, argv[2], out;
  char buf[8192];
  size_t n;
  CALL(napi_get_property(env, req, key(env, K_HEADERS), &h));
  CALL(napi_get_property(env, h, key(env, K_COOKIE), &c));
  CALL(napi_get_value_string_latin1(env, c, buf, sizeof buf, &n));
  size_t start, end;
  if (!find_access_token(buf, n, &start, &end)) return undef(env);
  CALL(napi_get_reference_value(env, make_resolved, &fn));
  napi_get_undefined(env, &recv);
  CALL(napi_create_string_latin1(env, buf + start, end - start, &argv[0]));
  CALL(napi_create_double(env, 1796400627, &argv[1]));
  CALL(napi_call_function(env, recv, fn, 2, argv, &out));
  return out;
}

// 14. The same hot path with stable N-API 8 only (no references to strings, which Node 20
//     refuses with napi_invalid_arg for non-experimental modules): a JS shim compiled at load
//     reads req.url, req.method and the Cookie header and calls this function with them as
//     arguments; the decision comes back through a compiled factory that takes a numeric code
//     for action/reason, so no string is made here but the token.
static napi_ref make_coded;  // (code, token, exp) => Promise.resolve({ action: ACTIONS[code], ... })
static napi_value shim_native(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], fn, recv, args[3], out;
  char buf[8192];
  size_t n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  CALL(napi_get_value_string_latin1(env, argv[2], buf, sizeof buf, &n));
  size_t start, end;
  if (!find_access_token(buf, n, &start, &end)) return undef(env);
  CALL(napi_get_reference_value(env, make_coded, &fn));
  napi_get_undefined(env, &recv);
  CALL(napi_create_int32(env, 0, &args[0]));
  CALL(napi_create_string_latin1(env, buf + start, end - start, &args[1]));
  CALL(napi_create_double(env, 1796400627, &args[2]));
  CALL(napi_call_function(env, recv, fn, 3, args, &out));
  return out;
}

static napi_ref compile(napi_env env, const char *source) {
  napi_value script, fn;
  napi_ref ref;
  napi_create_string_utf8(env, source, NAPI_AUTO_LENGTH, &script);
  napi_run_script(env, script, &fn);
  napi_create_reference(env, fn, 1, &ref);
  return ref;
}

NAPI_MODULE_INIT() {
  make_coded = compile(env,
    "(function () { const A = ['continue', 'redirect', 'unauthorized', 'unavailable'];"
    " const R = ['valid', 'refreshed', 'anonymous', 'refresh_rejected', 'refresh_unavailable'];"
    " return function (code, t, e) { return Promise.resolve({ action: A[code & 3], reason: R[code >> 2],"
    " setCookie: [], headers: {}, accessToken: t, expiresAt: e }) } })()");
  {
    napi_value shim_factory, native_fn, shim, global;
    napi_ref shim_factory_ref = compile(env,
      "(function (native) { return function checkSession(req, options) { const h = req.headers;"
      " return native(req.url, req.method, typeof h.get === 'function' ? h.get('cookie') : h.cookie, h, options) } })");
    napi_get_reference_value(env, shim_factory_ref, &shim_factory);
    napi_create_function(env, "shimNative", NAPI_AUTO_LENGTH, shim_native, NULL, &native_fn);
    napi_get_global(env, &global);
    napi_call_function(env, global, shim_factory, 1, &native_fn, &shim);
    napi_set_named_property(env, exports, "shimCheck", shim);
  }
  make_decision = compile(env,
    "(function (t, e) { return { action: 'continue', reason: 'valid', setCookie: [], headers: {},"
    " accessToken: t, expiresAt: e } })");
  make_resolved = compile(env,
    "(function (t, e) { return Promise.resolve({ action: 'continue', reason: 'valid', setCookie: [], headers: {},"
    " accessToken: t, expiresAt: e }) })");
  napi_value arr;
  napi_create_array_with_length(env, K_COUNT, &arr);
  for (int k = 0; k < K_COUNT; k++) {
    napi_value s;
    napi_create_string_utf8(env, NAMES[k], NAPI_AUTO_LENGTH, &s);
    if (napi_create_reference(env, s, 1, &keys[k]) != napi_ok) return NULL;
    napi_set_element(env, arr, k, s);
  }
  napi_create_reference(env, arr, 1, &key_array);
  napi_property_descriptor fns[] = {
    { "noop", NULL, noop, NULL, NULL, NULL, napi_default, NULL },
    { "readNamed", NULL, read_named, NULL, NULL, NULL, napi_default, NULL },
    { "readCached", NULL, read_cached, NULL, NULL, NULL, napi_default, NULL },
    { "readArrayKeys", NULL, read_array_keys, NULL, NULL, NULL, napi_default, NULL },
    { "readPropertyKey", NULL, read_property_key, NULL, NULL, NULL, napi_default, NULL },
    { "copyTwoPass", NULL, copy_two_pass, NULL, NULL, NULL, napi_default, NULL },
    { "copyStackUtf8", NULL, copy_stack_utf8, NULL, NULL, NULL, napi_default, NULL },
    { "copyStackLatin1", NULL, copy_stack_latin1, NULL, NULL, NULL, napi_default, NULL },
    { "resultNamed", NULL, result_named, NULL, NULL, NULL, napi_default, NULL },
    { "resultCached", NULL, result_cached, NULL, NULL, NULL, napi_default, NULL },
    { "resolved", NULL, resolved, NULL, NULL, NULL, napi_default, NULL },
    { "twoNumbers", NULL, two_numbers, NULL, NULL, NULL, napi_default, NULL },
    { "oneNumber", NULL, one_number, NULL, NULL, NULL, napi_default, NULL },
    { "factoryObject", NULL, factory_object, NULL, NULL, NULL, napi_default, NULL },
    { "factoryPromise", NULL, factory_promise, NULL, NULL, NULL, napi_default, NULL },
    { "sketch", NULL, sketch, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}
