package dev.weft.engine.weights.torch;

import dev.weft.engine.weights.WeightsException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for the {@code data.pkl} that {@code torch.save} writes: it understands the pickle opcodes
 * of protocols 2 to 4 that describe a (possibly ordered) dict of tensors, and accepts only the globals needed to
 * rebuild one. Nothing is ever executed: a global is a name, looked up in {@link #ALLOWED}; any other global, and any
 * opcode that would construct or call something else, stops the parse at once with a message naming it.
 *
 * <p>Values it builds: {@link String}, {@link Long} (or {@link BigInteger} for wider LONG1/LONG4), {@link Double},
 * {@link Boolean}, {@link #NONE}, {@code byte[]}, {@link List} (pickle lists), {@link Tuple}, {@link Map}
 * (dicts and {@code collections.OrderedDict}, insertion-ordered), {@link Global} (an allowed global, only as a
 * value or as the callee of REDUCE), and what the {@link Rebuilder} returns for persistent ids (storages) and for
 * {@code _rebuild_tensor_v2} / {@code _rebuild_parameter}.
 *
 * <p>Opcode reference: CPython {@code Lib/pickletools.py}. Tensor protocol: {@code torch/serialization.py}
 * ({@code _save}: persistent id {@code ('storage', storage_type, key, location, numel)}) and
 * {@code torch/_utils.py} ({@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks[, metadata])}).
 */
public final class Pickle {
    /** The Python {@code None}. */
    public static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private static final Object MARK = new Object();

    /** A Python tuple. */
    public record Tuple(List<Object> items) {
        public Object get(int i) {
            return items.get(i);
        }

        public int size() {
            return items.size();
        }
    }

    /** A global that passed the allow-list: {@code module.name}. */
    public record Global(String module, String name) {
        public String qualified() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualified();
        }
    }

    /** Turns persistent ids and tensor rebuild calls into objects; implemented by the archive reader. */
    public interface Rebuilder {
        /** {@code BINPERSID}: the tuple {@code ('storage', storage_type, key, location, numel)}. */
        Object storage(Tuple pid);

        /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta])}. */
        Object tensor(Tuple args);
    }

    /** Storage classes whose tensors we can read, by {@code torch.<name>}. */
    static final Set<String> STORAGES = Set.of("FloatStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
            "IntStorage");

    /** Storage classes that are harmless names but hold element types Weft does not read. */
    static final Set<String> UNSUPPORTED_STORAGES = Set.of("DoubleStorage", "ShortStorage", "CharStorage",
            "ByteStorage", "BoolStorage", "ComplexFloatStorage", "ComplexDoubleStorage", "QInt8Storage",
            "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage", "UntypedStorage");

    /** The only globals a checkpoint may name. */
    static final Set<String> ALLOWED = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state");

    private final byte[] data;
    private final String source;
    private final Rebuilder rebuilder;
    private final ByteBuffer buf;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Pickle(byte[] data, String source, Rebuilder rebuilder) {
        this.data = data;
        this.source = source;
        this.rebuilder = rebuilder;
        this.buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Parses a pickle and returns its value.
     *
     * @param source names the pickle in messages (e.g. {@code model.bin})
     * @throws WeightsException for a refused global or opcode, or a malformed pickle; nothing has been executed
     */
    public static Object load(byte[] data, String source, Rebuilder rebuilder) {
        return new Pickle(data, source, rebuilder).run();
    }

    private Object run() {
        while (true) {
            if (!buf.hasRemaining()) {
                throw bad("ends before its STOP opcode (truncated)");
            }
            int at = buf.position();
            int op = buf.get() & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw bad("unknown pickle protocol " + proto);
                    }
                }
                case 0x95 -> skip(8);                                       // FRAME (a length hint only)
                case '.' -> { // STOP
                    if (stack.size() != 1) {
                        throw bad("STOP with " + stack.size() + " values on the stack (expected 1)");
                    }
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case '0' -> pop();                                          // POP
                case '1' -> popMark();                                      // POP_MARK
                case '2' -> push(peek());                                   // DUP
                case '}' -> push(new LinkedHashMap<Object, Object>());      // EMPTY_DICT
                case ']' -> push(new ArrayList<>());                        // EMPTY_LIST
                case ')' -> push(new Tuple(List.of()));                     // EMPTY_TUPLE
                case 't' -> push(new Tuple(Collections.unmodifiableList(popMark())));  // TUPLE
                case 0x85 -> push(tupleOf(1));                              // TUPLE1
                case 0x86 -> push(tupleOf(2));                              // TUPLE2
                case 0x87 -> push(tupleOf(3));                              // TUPLE3
                case 'l' -> push(new ArrayList<>(popMark()));               // LIST
                case 'd' -> push(dictOf(popMark()));                        // DICT
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(key(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    Map<Object, Object> d = dict(peek());
                    if (items.size() % 2 != 0) {
                        throw bad("SETITEMS with an odd number of values");
                    }
                    for (int i = 0; i < items.size(); i += 2) {
                        d.put(key(items.get(i)), items.get(i + 1));
                    }
                }
                case 'X' -> push(utf8(len32()));                            // BINUNICODE
                case 0x8c -> push(utf8(u8()));                              // SHORT_BINUNICODE
                case 0x8d -> push(utf8(len64()));                           // BINUNICODE8
                case 'T' -> push(latin1(len32()));                          // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(u8()));                             // SHORT_BINSTRING
                case 'B' -> push(bytes(len32()));                           // BINBYTES
                case 'C' -> push(bytes(u8()));                              // SHORT_BINBYTES
                case 0x8e -> push(bytes(len64()));                          // BINBYTES8
                case 'J' -> push((long) i32());                             // BININT
                case 'K' -> push((long) u8());                              // BININT1
                case 'M' -> push((long) u16());                             // BININT2
                case 0x8a -> push(longOf(u8()));                            // LONG1
                case 0x8b -> push(longOf(len32()));                         // LONG4
                case 'G' -> push(f64be());                                  // BINFLOAT
                case 'N' -> push(NONE);                                     // NONE
                case 0x88 -> push(Boolean.TRUE);                            // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                           // NEWFALSE
                case 'q' -> memo.put((long) u8(), peek());                  // BINPUT
                case 'r' -> memo.put(u32(), peek());                        // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek());          // MEMOIZE
                case 'h' -> push(memoGet(u8()));                            // BINGET
                case 'j' -> push(memoGet(u32()));                           // LONG_BINGET
                case 'c' -> { // GLOBAL: "module\nname\n"
                    String module = line();
                    String name = line();
                    push(global(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw bad("STACK_GLOBAL expects two strings");
                    }
                    push(global(m, n));
                }
                case 'i' -> { // INST: "module\nname\n", then a call on the marked values
                    String module = line();
                    String name = line();
                    throw refuse(module, name);
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callee = pop();
                    push(reduce(callee, args));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args); only OrderedDict qualifies
                    Object args = pop();
                    Object cls = pop();
                    if (cls instanceof Global g && g.qualified().equals("collections.OrderedDict")) {
                        push(new LinkedHashMap<Object, Object>());
                    } else {
                        throw bad("NEWOBJ of " + describe(cls) + " is not allowed (only tensor rebuilding is allowed)");
                    }
                }
                case 'b' -> { // BUILD: obj.__setstate__(state); an OrderedDict's attributes (_metadata) are dropped
                    Object state = pop();
                    Object obj = peek();
                    if (!(obj instanceof Map) && !(obj instanceof TorchTensor)) {
                        throw bad("BUILD on " + describe(obj) + " is not allowed (only dicts and tensors)");
                    }
                    if (!(state instanceof Map) && !(state instanceof Tuple) && state != NONE) {
                        throw bad("BUILD with a state of " + describe(state));
                    }
                }
                case 'Q' -> { // BINPERSID
                    Object pid = pop();
                    if (!(pid instanceof Tuple t)) {
                        throw bad("persistent id is " + describe(pid) + ", expected a tuple");
                    }
                    push(rebuilder.storage(t));
                }
                case 'P' -> throw bad("text persistent ids (PERSID, protocol 0) are not supported");
                case 'o' -> throw bad("opcode OBJ (object construction) at byte " + at
                        + " is not allowed (only tensor rebuilding is allowed)");
                case 0x92 -> throw bad("opcode NEWOBJ_EX (object construction) at byte " + at
                        + " is not allowed (only tensor rebuilding is allowed)");
                case 0x82, 0x83, 0x84 -> throw bad("extension-registry opcodes (EXT1/2/4) at byte " + at
                        + " are not allowed (only tensor rebuilding is allowed)");
                default -> throw bad(String.format("unsupported pickle opcode 0x%02x ('%s') at byte %d", op,
                        op >= 0x20 && op < 0x7f ? Character.toString(op) : "?", at));
            }
        }
    }

    // ---- globals and calls --------------------------------------------------------------------------------------

    private Object global(String module, String name) {
        String q = module + "." + name;
        if (ALLOWED.contains(q)) {
            return new Global(module, name);
        }
        if ((module.equals("torch") || module.equals("torch.cuda")) && STORAGES.contains(name)) {
            return new Global(module, name);
        }
        if ((module.equals("torch") || module.equals("torch.cuda")) && UNSUPPORTED_STORAGES.contains(name)) {
            throw bad("tensor storage type " + q + " is not supported (supported: "
                    + String.join(", ", STORAGES.stream().sorted().toList()) + ")");
        }
        throw refuse(module, name);
    }

    private WeightsException refuse(String module, String name) {
        return new WeightsException(source + ": refuses pickle global " + printable(module + "." + name)
                + " (only tensor rebuilding is allowed)");
    }

    private Object reduce(Object callee, Object args) {
        if (!(callee instanceof Global g)) {
            throw bad("REDUCE on " + describe(callee) + " (only allowed globals can be called)");
        }
        if (!(args instanceof Tuple t)) {
            throw bad("REDUCE arguments are " + describe(args) + ", expected a tuple");
        }
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                if (t.size() != 0) {
                    throw bad("OrderedDict(...) with arguments is not supported");
                }
                return new LinkedHashMap<Object, Object>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (t.size() != 6 && t.size() != 7) {
                    throw bad("_rebuild_tensor_v2 with " + t.size() + " arguments (expected 6 or 7)");
                }
                return rebuilder.tensor(t);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (t.size() < 3 || !(t.get(0) instanceof TorchTensor)) {
                    throw bad(g.name() + " expects (tensor, requires_grad, hooks, ...)");
                }
                return t.get(0);
            }
            default -> throw bad("calling " + g.qualified() + " is not allowed (only tensor rebuilding is allowed)");
        }
    }

    // ---- stack --------------------------------------------------------------------------------------------------

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw bad("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw bad("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw bad("no MARK on the stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Tuple tupleOf(int n) {
        if (stack.size() < n) {
            throw bad("stack underflow");
        }
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        if (items.contains(MARK)) {
            throw bad("stack underflow");
        }
        stack.subList(stack.size() - n, stack.size()).clear();
        return new Tuple(Collections.unmodifiableList(items));
    }

    private Map<Object, Object> dictOf(List<Object> items) {
        if (items.size() % 2 != 0) {
            throw bad("DICT with an odd number of values");
        }
        Map<Object, Object> d = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            d.put(key(items.get(i)), items.get(i + 1));
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw bad("append to " + describe(o) + ", expected a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw bad("set item on " + describe(o) + ", expected a dict");
    }

    private Object key(Object k) {
        if (k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Boolean
                || k == NONE || k instanceof Tuple || k instanceof Double) {
            return k;
        }
        throw bad("dict key of type " + describe(k) + " is not supported");
    }

    private Object memoGet(long i) {
        Object o = memo.get(i);
        if (o == null) {
            throw bad("memo key " + i + " read before it was written");
        }
        return o;
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    private void need(long n) {
        if (n < 0 || n > buf.remaining()) {
            throw bad("ends in the middle of an opcode (truncated at byte " + data.length + ")");
        }
    }

    private void skip(int n) {
        need(n);
        buf.position(buf.position() + n);
    }

    private int u8() {
        need(1);
        return buf.get() & 0xff;
    }

    private int u16() {
        need(2);
        return buf.getShort() & 0xffff;
    }

    private int i32() {
        need(4);
        return buf.getInt();
    }

    private long u32() {
        need(4);
        return buf.getInt() & 0xffffffffL;
    }

    private int len32() {
        long n = u32();
        need(n);
        return (int) n;
    }

    private int len64() {
        need(8);
        long n = buf.getLong();
        need(n);
        return (int) n;
    }

    private double f64be() {
        need(8);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (buf.get() & 0xff);
        }
        return Double.longBitsToDouble(bits);
    }

    private byte[] bytes(int n) {
        need(n);
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private Object longOf(int n) {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A newline-terminated ASCII line (GLOBAL / INST arguments), at most 256 bytes. */
    private String line() {
        int start = buf.position();
        for (int i = start; i < data.length && i - start <= 256; i++) {
            if (data[i] == '\n') {
                buf.position(i + 1);
                return new String(data, start, i - start, StandardCharsets.UTF_8);
            }
        }
        throw bad("unterminated GLOBAL name at byte " + start);
    }

    private WeightsException bad(String what) {
        return new WeightsException(source + ": " + what);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    static String describe(Object o) {
        if (o == null || o == MARK) {
            return "a MARK";
        }
        if (o == NONE) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.qualified();
        }
        if (o instanceof Tuple) {
            return "a tuple";
        }
        if (o instanceof List) {
            return "a list";
        }
        if (o instanceof Map) {
            return "a dict";
        }
        if (o instanceof String) {
            return "a string";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "an int";
        }
        if (o instanceof Double) {
            return "a float";
        }
        if (o instanceof Boolean) {
            return "a bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof TorchTensor) {
            return "a tensor";
        }
        return o.getClass().getSimpleName();
    }
}
