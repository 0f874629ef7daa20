#include "wisenet/model/torch_pickle.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

// The Python values a state-dict pickle can hold.
struct PyValue {
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kTuple, kList, kDict, kGlobal, kTensor };
  Kind kind = Kind::kNone;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;                             // string, or "module.name" of a global
  std::vector<std::shared_ptr<PyValue>> items;  // tuple/list items; dict as key, value, ...
  torch::Tensor tensor;                         // a tensor, or a storage as a 1-D tensor
};
using PyRef = std::shared_ptr<PyValue>;

PyRef make(PyValue::Kind kind) {
  auto value = std::make_shared<PyValue>();
  value->kind = kind;
  return value;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

c10::ScalarType storage_dtype(const std::string& global) {
  static const std::map<std::string, c10::ScalarType> kTypes = {
      {"torch.FloatStorage", torch::kFloat}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},   {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},   {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort}, {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},   {"torch.BoolStorage", torch::kBool}};
  const auto found = kTypes.find(global);
  if (found == kTypes.end()) throw std::runtime_error("unsupported storage type " + global);
  return found->second;
}

// The subset of pickle protocol 2 (and 4's framing opcodes) that torch.save emits for a
// state dict. Errors are std::runtime_error; read_torch_state_dict adds the file name.
class StateDictUnpickler {
 public:
  StateDictUnpickler(std::string bytes, caffe2::serialize::PyTorchStreamReader& zip)
      : bytes_(std::move(bytes)), zip_(zip) {}

  PyRef run() {
    while (true) {
      const uint8_t op = read_u8();
      if (op == '.') break;  // STOP
      step(op);
    }
    if (stack_.empty()) throw std::runtime_error("empty pickle");
    return stack_.back();
  }

 private:
  uint8_t read_u8() {
    need(1);
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  uint64_t read_le(size_t n) {
    need(n);
    uint64_t value = 0;
    for (size_t i = 0; i < n; ++i) value |= uint64_t(uint8_t(bytes_[pos_ + i])) << (8 * i);
    pos_ += n;
    return value;
  }
  std::string read_bytes(size_t n) {
    need(n);
    std::string out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::string read_line() {
    const size_t end = bytes_.find('\n', pos_);
    if (end == std::string::npos) throw std::runtime_error("truncated pickle");
    std::string out = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }
  void need(size_t n) const {
    if (pos_ + n > bytes_.size()) throw std::runtime_error("truncated pickle");
  }
  PyRef pop() {
    if (stack_.empty()) throw std::runtime_error("pickle stack underflow");
    PyRef value = stack_.back();
    stack_.pop_back();
    return value;
  }
  // Pops everything above the last MARK.
  std::vector<PyRef> pop_mark() {
    if (marks_.empty()) throw std::runtime_error("pickle MARK missing");
    const size_t mark = marks_.back();
    marks_.pop_back();
    if (mark > stack_.size()) throw std::runtime_error("pickle MARK out of range");
    std::vector<PyRef> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }
  void push_int(int64_t value) {
    PyRef v = make(PyValue::Kind::kInt);
    v->integer = value;
    stack_.push_back(v);
  }
  void push_string(std::string text) {
    PyRef v = make(PyValue::Kind::kString);
    v->text = std::move(text);
    stack_.push_back(v);
  }
  void push_tuple(std::vector<PyRef> items) {
    PyRef v = make(PyValue::Kind::kTuple);
    v->items = std::move(items);
    stack_.push_back(v);
  }
  PyRef& top() {
    if (stack_.empty()) throw std::runtime_error("pickle stack underflow");
    return stack_.back();
  }

  void step(uint8_t op) {
    switch (op) {
      case 0x80:
        read_u8();
        break;  // PROTO
      case 0x95:
        read_le(8);
        break;  // FRAME: framing is irrelevant when all is read
      case '(':
        marks_.push_back(stack_.size());
        break;  // MARK
      case 'N':
        stack_.push_back(make(PyValue::Kind::kNone));
        break;
      case 0x88:
      case 0x89: {  // NEWTRUE / NEWFALSE
        PyRef v = make(PyValue::Kind::kBool);
        v->integer = op == 0x88;
        stack_.push_back(v);
        break;
      }
      case 'J':
        push_int(static_cast<int32_t>(read_le(4)));
        break;  // BININT
      case 'K':
        push_int(static_cast<int64_t>(read_le(1)));
        break;  // BININT1
      case 'M':
        push_int(static_cast<int64_t>(read_le(2)));
        break;      // BININT2
      case 0x8a: {  // LONG1
        const size_t n = read_u8();
        if (n > 8) throw std::runtime_error("integer too large");
        uint64_t raw = read_le(n);
        if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1) raw |= ~uint64_t(0) << (8 * n);
        push_int(static_cast<int64_t>(raw));
        break;
      }
      case 'G': {  // BINFLOAT, big-endian
        uint64_t raw = 0;
        for (int i = 0; i < 8; ++i) raw = (raw << 8) | read_u8();
        PyRef v = make(PyValue::Kind::kFloat);
        std::memcpy(&v->real, &raw, sizeof raw);
        stack_.push_back(v);
        break;
      }
      case 'X':
        push_string(read_bytes(read_le(4)));
        break;  // BINUNICODE
      case 0x8c:
        push_string(read_bytes(read_u8()));
        break;  // SHORT_BINUNICODE
      case 'T':
        push_string(read_bytes(read_le(4)));
        break;  // BINSTRING
      case 'U':
        push_string(read_bytes(read_u8()));
        break;  // SHORT_BINSTRING
      case ')':
        push_tuple({});
        break;  // EMPTY_TUPLE
      case 't':
        push_tuple(pop_mark());
        break;  // TUPLE
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        const size_t n = op - 0x84u;
        if (stack_.size() < n) throw std::runtime_error("pickle stack underflow");
        std::vector<PyRef> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        push_tuple(std::move(items));
        break;
      }
      case ']':
        stack_.push_back(make(PyValue::Kind::kList));
        break;  // EMPTY_LIST
      case '}':
        stack_.push_back(make(PyValue::Kind::kDict));
        break;     // EMPTY_DICT
      case 'a': {  // APPEND
        PyRef item = pop();
        top()->items.push_back(item);
        break;
      }
      case 'e': {  // APPENDS
        std::vector<PyRef> items = pop_mark();
        PyRef& list = top();
        list->items.insert(list->items.end(), items.begin(), items.end());
        break;
      }
      case 's': {  // SETITEM
        PyRef value = pop();
        PyRef key = pop();
        add_items(top(), {key, value});
        break;
      }
      case 'u': {  // SETITEMS
        std::vector<PyRef> items = pop_mark();
        add_items(top(), items);
        break;
      }
      case 'q':
        memo_[read_le(1)] = top();
        break;  // BINPUT
      case 'r':
        memo_[read_le(4)] = top();
        break;  // LONG_BINPUT
      case 0x94:
        memo_[memo_.size()] = top();
        break;  // MEMOIZE
      case 'h':
        stack_.push_back(memo_get(read_le(1)));
        break;  // BINGET
      case 'j':
        stack_.push_back(memo_get(read_le(4)));
        break;     // LONG_BINGET
      case 'c': {  // GLOBAL
        std::string module = read_line();
        std::string name = read_line();
        PyRef v = make(PyValue::Kind::kGlobal);
        v->text = module + "." + name;
        stack_.push_back(v);
        break;
      }
      case 'R':     // REDUCE
      case 0x81: {  // NEWOBJ
        PyRef args = pop();
        PyRef callable = pop();
        stack_.push_back(call(callable, args));
        break;
      }
      case 'b':
        pop();
        break;  // BUILD: the only state we meet is OrderedDict's _metadata
      case 'Q':
        stack_.push_back(persistent_load(pop()));
        break;  // BINPERSID
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        throw std::runtime_error(std::string("unsupported pickle opcode ") + hex);
      }
    }
  }

  PyRef memo_get(uint64_t key) const {
    const auto found = memo_.find(key);
    if (found == memo_.end()) throw std::runtime_error("pickle memo key missing");
    return found->second;
  }

  static void add_items(const PyRef& dict, const std::vector<PyRef>& items) {
    if (dict->kind != PyValue::Kind::kDict || items.size() % 2 != 0) {
      throw std::runtime_error("pickle SETITEMS on a non-dict");
    }
    dict->items.insert(dict->items.end(), items.begin(), items.end());
  }

  PyRef call(const PyRef& callable, const PyRef& args) {
    if (callable->kind != PyValue::Kind::kGlobal || args->kind != PyValue::Kind::kTuple) {
      throw std::runtime_error("unsupported pickle call");
    }
    const std::string& name = callable->text;
    if (name == "collections.OrderedDict") return make(PyValue::Kind::kDict);
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      return rebuild_tensor(args->items);
    }
    if (name == "torch._utils._rebuild_parameter" && !args->items.empty()) return args->items[0];
    throw std::runtime_error("unsupported object " + name);
  }

  static std::vector<int64_t> int_tuple(const PyRef& value) {
    if (value->kind != PyValue::Kind::kTuple) throw std::runtime_error("expected a tuple");
    std::vector<int64_t> out;
    for (const PyRef& item : value->items) {
      if (item->kind != PyValue::Kind::kInt) throw std::runtime_error("expected an int");
      out.push_back(item->integer);
    }
    return out;
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks, ...).
  static PyRef rebuild_tensor(const std::vector<PyRef>& args) {
    if (args.size() < 4 || args[0]->kind != PyValue::Kind::kTensor ||
        args[1]->kind != PyValue::Kind::kInt) {
      throw std::runtime_error("malformed tensor record");
    }
    const torch::Tensor& storage = args[0]->tensor;
    const int64_t offset = args[1]->integer;
    const std::vector<int64_t> size = int_tuple(args[2]);
    const std::vector<int64_t> stride = int_tuple(args[3]);
    if (size.size() != stride.size()) throw std::runtime_error("malformed tensor record");
    int64_t last = offset;
    bool empty = false;
    for (size_t i = 0; i < size.size(); ++i) {
      if (size[i] == 0) empty = true;
      if (size[i] < 0 || stride[i] < 0) throw std::runtime_error("malformed tensor record");
      last += (size[i] - 1) * stride[i];
    }
    PyRef v = make(PyValue::Kind::kTensor);
    if (empty) {
      v->tensor = torch::empty(size, storage.options());
    } else {
      if (offset < 0 || last >= storage.numel()) {
        throw std::runtime_error("tensor exceeds its storage");
      }
      v->tensor = storage.as_strided(size, stride, offset).clone();
    }
    return v;
  }

  // ('storage', torch.XxxStorage, key, location, numel) → the record data/<key> as 1-D tensor.
  PyRef persistent_load(const PyRef& pid) {
    if (pid->kind != PyValue::Kind::kTuple || pid->items.size() < 3 ||
        pid->items[0]->text != "storage" || pid->items[1]->kind != PyValue::Kind::kGlobal ||
        pid->items[2]->kind != PyValue::Kind::kString) {
      throw std::runtime_error("unsupported persistent id");
    }
    const std::string& key = pid->items[2]->text;
    auto cached = storages_.find(key);
    if (cached != storages_.end()) return cached->second;
    const c10::ScalarType dtype = storage_dtype(pid->items[1]->text);
    const std::string record = "data/" + key;
    if (!zip_.hasRecord(record)) throw std::runtime_error("record " + record + " missing");
    auto [data, bytes] = zip_.getRecord(record);
    const size_t item = c10::elementSize(dtype);
    PyRef v = make(PyValue::Kind::kTensor);
    v->tensor = torch::empty({static_cast<int64_t>(bytes / item)}, torch::dtype(dtype));
    std::memcpy(v->tensor.data_ptr(), data.get(), (bytes / item) * item);
    storages_[key] = v;
    return v;
  }

  std::string bytes_;
  size_t pos_ = 0;
  caffe2::serialize::PyTorchStreamReader& zip_;
  std::vector<PyRef> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, PyRef> memo_;
  std::map<std::string, PyRef> storages_;
};

// A dict of tensors, or a dict wrapping one under "state_dict" / "model".
NamedTensors to_named_tensors(const PyRef& root) {
  if (root->kind != PyValue::Kind::kDict) throw std::runtime_error("not a dict of tensors");
  for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const PyRef& key = root->items[i];
    const PyRef& value = root->items[i + 1];
    if (key->kind == PyValue::Kind::kString &&
        (key->text == "state_dict" || key->text == "model") &&
        value->kind == PyValue::Kind::kDict) {
      return to_named_tensors(value);
    }
  }
  NamedTensors out;
  for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const PyRef& key = root->items[i];
    const PyRef& value = root->items[i + 1];
    if (key->kind != PyValue::Kind::kString || value->kind != PyValue::Kind::kTensor) {
      throw std::runtime_error("not a dict of tensors (entry " + std::to_string(i / 2) + ")");
    }
    out.emplace_back(key->text, value->tensor);
  }
  return out;
}

}  // namespace

NamedTensors read_torch_state_dict(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw Error(path, "weight file not found");
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const c10::Error& e) {
    throw Error(path,
                "not a PyTorch zip archive (torch.save from PyTorch >= 1.6 is needed; the legacy "
                "format is not supported): " +
                    first_line(e.what_without_backtrace()));
  }
  try {
    if (!zip->hasRecord("data.pkl")) throw std::runtime_error("record data.pkl missing");
    auto [data, size] = zip->getRecord("data.pkl");
    std::string bytes(static_cast<const char*>(data.get()), size);
    StateDictUnpickler unpickler(std::move(bytes), *zip);
    return to_named_tensors(unpickler.run());
  } catch (const c10::Error& e) {
    throw Error(path, "cannot read state dict: " + first_line(e.what_without_backtrace()));
  } catch (const std::runtime_error& e) {
    throw Error(path, std::string("cannot read state dict: ") + e.what());
  }
}

}  // namespace wisenet
