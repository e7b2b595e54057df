/* Arrow's take for strings (values gathered at given positions), several times faster than
 * Arrow's own: Arrow copies each value with a call of memcpy, this copies a short one (32 bytes
 * or less, most of a block's) with one or two 16-byte moves the compiler inlines; and for
 * values of a fixed width (numbers, dates, booleans), in one pass with its bounds check. And the
 * replacing of some values of an array (``replaced_at``), which copies the values kept between
 * two replaced ones at once; the joining of strings row by row; the keeping of some
 * characters of each string; and, for e-mail addresses, the padded first bytes of each string
 * and each string's rank among the equal ones before it.
 *
 * A plain C library, loaded by ``take.py`` through ctypes: no Python API. Strings are Arrow's
 * ``string`` or ``binary`` layout: 32-bit offsets (``offsets[i]`` to ``offsets[i + 1]``, the
 * array's offset already added by the caller) into ``data``.
 */

#include <stdint.h>
#include <string.h>

/* The offsets of the values at ``positions`` (``count`` of them) of an array of ``length``
 * strings, into ``out`` (``count + 1`` of them); return their bytes in all, -1 when a position
 * lies outside the array, -2 when they pass 2 GB (more than 32-bit offsets hold). */
int64_t take_offsets(const int32_t *offsets, int64_t length, const int64_t *positions,
                     int64_t count, int32_t *out) {
    int64_t total = 0;
    out[0] = 0;
    for (int64_t i = 0; i < count; i++) {
        int64_t at = positions[i];
        if ((uint64_t)at >= (uint64_t)length) return -1;
        total += offsets[at + 1] - offsets[at];
        if (total > INT32_MAX) return -2;
        out[i + 1] = (int32_t)total;
    }
    return total;
}

/* ``size`` bytes from ``data + start`` to ``out``: 32 or less as one or two 16-byte moves the
 * compiler inlines when the data holds as many bytes from ``start`` (``end`` its size), what
 * ``out`` gets beyond ``size`` written over by the next value; more with a call of memcpy. */
static void copy_value(uint8_t *out, const uint8_t *data, int32_t start, int32_t size,
                       int32_t end) {
    if (size <= 16 && (int64_t)start + 16 <= end) {
        memcpy(out, data + start, 16);
    } else if (size <= 32 && (int64_t)start + 32 <= end) {
        memcpy(out, data + start, 32);
    } else if (size > 0) {
        memcpy(out, data + start, (size_t)size);
    }
}

/* The strings of an array of this many bytes or fewer are taken from a copy with 32 bytes to
 * spare (see ``take_bytes``). */
enum { SMALL_DATA = 4096 };

/* The bytes of the values at ``positions``, into ``out`` at ``out_offsets`` (from
 * ``take_offsets``); ``out`` has 32 bytes to spare after the last. The strings of a small
 * array (a pool of a few values, most of which end less than 32 bytes before its data does)
 * are read from a copy with 32 bytes to spare, so that each short value is moved inline. */
void take_bytes(const int32_t *offsets, int64_t length, const uint8_t *data,
                const int64_t *positions, int64_t count, const int32_t *out_offsets,
                uint8_t *out) {
    int32_t end = offsets[length];  /* no byte beyond it is read */
    uint8_t padded[SMALL_DATA + 32];
    if (end <= SMALL_DATA) {
        memcpy(padded, data, (size_t)end);
        memset(padded + end, 0, 32);
        data = padded;
        end += 32;
    }
    for (int64_t i = 0; i < count; i++) {
        int32_t size = out_offsets[i + 1] - out_offsets[i];
        copy_value(out + out_offsets[i], data, offsets[positions[i]], size, end);
    }
}

/* Whether bit ``i`` of ``bits`` is set (NULL: no bitmap, every bit set). */
static int bit_set(const uint8_t *bits, int64_t i) {
    return bits == NULL || (bits[i >> 3] >> (i & 7)) & 1;
}

/* The validity bits at ``positions`` of a bitmap whose first value is bit ``first``, into
 * ``out`` (``(count + 7) / 8`` bytes); return how many are not set (the nulls). */
int64_t take_validity(const uint8_t *validity, int64_t first, const int64_t *positions,
                      int64_t count, uint8_t *out) {
    int64_t valid = 0;
    for (int64_t start = 0; start < count; start += 8) {  /* a byte of bits at a time */
        int64_t end = start + 8 < count ? start + 8 : count;
        uint8_t byte = 0;
        for (int64_t i = start; i < end; i++) {
            int set = bit_set(validity, first + positions[i]);
            byte |= (uint8_t)(set << (i - start));
            valid += set;
        }
        out[start >> 3] = byte;
    }
    return count - valid;
}

/* ``take_TYPE``: the ``TYPE`` values at ``positions`` of ``data`` (``length`` of them), into
 * ``out``; return 0, or -1 when a position lies outside. */
#define TAKE_FIXED(type)                                                                       \
    static int64_t take_##type(const uint8_t *data, int64_t length, const int64_t *positions,  \
                               int64_t count, uint8_t *out) {                                  \
        for (int64_t i = 0; i < count; i++) {                                                  \
            int64_t at = positions[i];                                                         \
            if ((uint64_t)at >= (uint64_t)length) return -1;                                   \
            memcpy(out + i * sizeof(type), data + at * sizeof(type), sizeof(type));            \
        }                                                                                      \
        return 0;                                                                              \
    }

typedef struct {
    uint64_t low, high;
} uint128;

TAKE_FIXED(uint8_t)
TAKE_FIXED(uint16_t)
TAKE_FIXED(uint32_t)
TAKE_FIXED(uint64_t)
TAKE_FIXED(uint128)

/* The values at ``positions`` (``count`` of them) of an array of ``length`` values of ``bits``
 * bits each, starting at value ``first`` of ``data``, into ``out``: 1 (booleans: a bitmap), 8,
 * 16, 32, 64 or 128; return 0, -1 when a position lies outside, -2 for another width. */
int64_t take_fixed(const uint8_t *data, int64_t first, int64_t bits, int64_t length,
                   const int64_t *positions, int64_t count, uint8_t *out) {
    if (bits == 1) {
        for (int64_t i = 0; i < count; i++)
            if ((uint64_t)positions[i] >= (uint64_t)length) return -1;
        take_validity(data, first, positions, count, out);
        return 0;
    }
    data += first * (bits / 8);
    switch (bits) {
        case 8: return take_uint8_t(data, length, positions, count, out);
        case 16: return take_uint16_t(data, length, positions, count, out);
        case 32: return take_uint32_t(data, length, positions, count, out);
        case 64: return take_uint64_t(data, length, positions, count, out);
        case 128: return take_uint128(data, length, positions, count, out);
        default: return -2;
    }
}

/* The replacing of some values of an array (``replaced_at``): ``rows`` (``count`` of them,
 * increasing) are the positions replaced, ``new_offsets`` and ``new_data`` the replacements'
 * strings, in order. The values between two rows keep their bytes, copied as one run. */

/* The offsets of the ``length`` values with those at ``rows`` replaced, into ``out``
 * (``length + 1`` of them); return their bytes in all, -1 when the rows are not increasing
 * positions of the array, -2 when the bytes pass 2 GB. */
int64_t put_offsets(const int32_t *offsets, int64_t length, const int64_t *rows, int64_t count,
                    const int32_t *new_offsets, int32_t *out) {
    int64_t total = (int64_t)offsets[length] - offsets[0];
    for (int64_t k = 0; k < count; k++) {
        int64_t row = rows[k];
        if (row < 0 || row >= length || (k > 0 && row <= rows[k - 1])) return -1;
        total += (int64_t)(new_offsets[k + 1] - new_offsets[k]) - (offsets[row + 1] - offsets[row]);
    }
    if (total > INT32_MAX) return -2;
    int32_t shift = -offsets[0];  /* where a kept value goes, less where it was */
    int64_t row = 0;
    out[0] = 0;
    for (int64_t k = 0; k <= count; k++) {
        int64_t stop = k < count ? rows[k] : length;
        for (; row < stop; row++) out[row + 1] = offsets[row + 1] + shift;
        if (k == count) break;
        out[row + 1] = out[row] + (new_offsets[k + 1] - new_offsets[k]);
        shift = out[row + 1] - offsets[row + 1];
        row++;
    }
    return total;
}

/* The bytes of the values with those at ``rows`` replaced, into ``out`` at ``out_offsets``
 * (from ``put_offsets``; ``out`` has 32 bytes to spare after the last): the kept values
 * between two rows as one copy, then the row's replacement. */
void put_bytes(const int32_t *offsets, int64_t length, const uint8_t *data, const int64_t *rows,
               int64_t count, const int32_t *new_offsets, const uint8_t *new_data,
               const int32_t *out_offsets, uint8_t *out) {
    int32_t end = offsets[length], new_end = new_offsets[count];
    int64_t row = 0;
    for (int64_t k = 0; k <= count; k++) {
        int64_t stop = k < count ? rows[k] : length;
        int32_t kept = offsets[stop] - offsets[row];
        copy_value(out + out_offsets[row], data, offsets[row], kept, end);
        if (k == count) break;
        int32_t size = new_offsets[k + 1] - new_offsets[k];
        copy_value(out + out_offsets[stop], new_data, new_offsets[k], size, new_end);
        row = stop + 1;
    }
}

/* How many bits of ``word`` are set. */
static int64_t bits_in(uint64_t word) {
    word -= (word >> 1) & 0x5555555555555555ULL;
    word = (word & 0x3333333333333333ULL) + ((word >> 2) & 0x3333333333333333ULL);
    word = (word + (word >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int64_t)((word * 0x0101010101010101ULL) >> 56);
}

/* The validity bits of the ``length`` values with those at ``rows`` replaced, into ``out``
 * (``(length + 7) / 8`` bytes), from ``validity`` (the values', from bit ``first``) and
 * ``new_validity`` (the replacements', from bit ``new_first``), either NULL when all are
 * valid; return how many are not set (the nulls). The values' bits are copied a byte at a
 * time when they start at a byte, then each row's bit set. */
int64_t put_validity(const uint8_t *validity, int64_t first, int64_t length, const int64_t *rows,
                     int64_t count, const uint8_t *new_validity, int64_t new_first,
                     uint8_t *out) {
    int64_t bytes = (length + 7) / 8, valid = 0;
    if (validity == NULL) {
        memset(out, 0xFF, (size_t)bytes);
    } else if (first % 8 == 0) {
        memcpy(out, validity + first / 8, (size_t)bytes);
    } else {
        memset(out, 0, (size_t)bytes);
        for (int64_t i = 0; i < length; i++) {
            out[i >> 3] |= (uint8_t)(bit_set(validity, first + i) << (i & 7));
        }
    }
    for (int64_t k = 0; k < count; k++) {
        int64_t row = rows[k];
        uint8_t mask = (uint8_t)(1 << (row & 7));
        out[row >> 3] = bit_set(new_validity, new_first + k) ? out[row >> 3] | mask
                                                            : out[row >> 3] & (uint8_t)~mask;
    }
    if (length % 8) out[bytes - 1] &= (uint8_t)((1 << (length % 8)) - 1);  /* none beyond */
    int64_t b = 0;
    for (; b + 8 <= bytes; b += 8) {
        uint64_t word;
        memcpy(&word, out + b, 8);
        valid += bits_in(word);
    }
    for (; b < bytes; b++) valid += bits_in(out[b]);
    return length - valid;
}

/* The joining of strings row by row (``join_element_wise``), as Arrow's
 * binary_join_element_wise joins them: each row's values of the parts, a separator between
 * two. A part is a column of strings, or one string for every row. */
typedef struct {
    const int32_t *offsets;   /* the part's offsets, its array's offset added */
    const uint8_t *data;      /* its bytes (NULL: none, its strings all empty) */
    const uint8_t *validity;  /* NULL when every value is valid */
    int64_t first;            /* the bit of ``validity`` of its first value */
    int32_t end;              /* how many bytes ``data`` holds */
    int32_t same;             /* 1: its one value is every row's */
} Part;

static int part_valid(const Part *part, int64_t row) {
    return bit_set(part->validity, part->first + (part->same ? 0 : row));
}

static int32_t part_start(const Part *part, int64_t row) {
    return part->offsets[part->same ? 0 : row];
}

static int32_t part_size(const Part *part, int64_t row) {
    int64_t at = part->same ? 0 : row;
    return part->offsets[at + 1] - part->offsets[at];
}

/* The offsets of the ``rows`` joined values, into ``out`` (``rows + 1`` of them), and their
 * validity bits, into ``validity`` (``(rows + 7) / 8`` bytes): a row with a missing value is
 * missing, or (``skip_nulls``) joins its other values. Return their bytes in all, -2 when they
 * pass 2 GB; ``nulls`` gets how many are missing. */
int64_t join_offsets(const Part *parts, int32_t count, int64_t rows, int32_t separator_size,
                     int32_t skip_nulls, int32_t *out, uint8_t *validity, int64_t *nulls) {
    int64_t total = 0, missing = 0;
    memset(validity, 0, (size_t)((rows + 7) / 8));
    out[0] = 0;
    for (int64_t row = 0; row < rows; row++) {
        int64_t size = 0, present = 0;
        for (int32_t c = 0; c < count; c++) {
            if (part_valid(&parts[c], row)) {
                size += part_size(&parts[c], row);
                present++;
            }
        }
        int valid = skip_nulls || present == count;
        if (valid && present > 1) size += (int64_t)separator_size * (present - 1);
        total += valid ? size : 0;
        if (total > INT32_MAX) return -2;
        out[row + 1] = (int32_t)total;
        validity[row >> 3] |= (uint8_t)(valid << (row & 7));
        missing += !valid;
    }
    *nulls = missing;
    return total;
}

/* The bytes of the joined values, into ``out`` at ``out_offsets`` (from ``join_offsets``;
 * ``out`` has 32 bytes to spare after the last). */
void join_bytes(const Part *parts, int32_t count, int64_t rows, const uint8_t *separator,
                int32_t separator_size, const int32_t *out_offsets, uint8_t *out) {
    for (int64_t row = 0; row < rows; row++) {
        uint8_t *at = out + out_offsets[row];
        if (at == out + out_offsets[row + 1]) continue;  /* missing, or empty */
        int written = 0;
        for (int32_t c = 0; c < count; c++) {
            const Part *part = &parts[c];
            if (!part_valid(part, row)) continue;
            if (written++) {
                for (int32_t s = 0; s < separator_size; s++) *at++ = separator[s];
            }
            int32_t size = part_size(part, row);
            copy_value(at, part->data, part_start(part, row), size, part->end);
            at += size;
        }
    }
}

/* The bytes of each of ``rows`` strings from ``low`` to ``high`` kept, the others dropped
 * (``keep_bytes``): into ``out`` (as many bytes as the strings hold) and ``out_offsets``
 * (``rows + 1`` of them); return how many are kept. Each byte is written, then kept by moving
 * past it or dropped by writing the next over it: no branch on the data. */
int64_t keep_bytes(const int32_t *offsets, const uint8_t *data, int64_t rows, uint8_t low,
                   uint8_t high, int32_t *out_offsets, uint8_t *out) {
    int64_t kept = 0;
    out_offsets[0] = 0;
    for (int64_t row = 0; row < rows; row++) {
        for (int32_t at = offsets[row]; at < offsets[row + 1]; at++) {
            uint8_t byte = data[at];
            out[kept] = byte;
            kept += (uint8_t)(byte - low) <= (uint8_t)(high - low);
        }
        out_offsets[row + 1] = (int32_t)kept;
    }
    return kept;
}

/* The first ``width`` bytes of each of ``rows`` strings, spaces after a shorter one, into
 * ``out`` (``rows * width`` bytes, row after row): Arrow's ``utf8_rpad`` of its
 * ``utf8_slice_codeunits`` for ASCII text, whose characters are its bytes. */
void padded_prefixes(const int32_t *offsets, const uint8_t *data, int64_t rows, int32_t width,
                     uint8_t *out) {
    for (int64_t row = 0; row < rows; row++, out += width) {
        int32_t size = offsets[row + 1] - offsets[row];
        memset(out, ' ', (size_t)width);
        memcpy(out, data + offsets[row], (size_t)(size < width ? size : width));
    }
}

/* A hash of a string's ``size`` bytes and its ``key`` (FNV-1a, then MurmurHash3's
 * finalizer to spread it over the table's low bits). */
static uint64_t group_hash(const uint8_t *text, int32_t size, int64_t key) {
    uint64_t hash = 0xcbf29ce484222325ULL ^ ((uint64_t)key * 0x9e3779b97f4a7c15ULL);
    for (int32_t at = 0; at < size; at++) hash = (hash ^ text[at]) * 0x100000001b3ULL;
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53ULL;
    return hash ^ (hash >> 33);
}

/* For each of ``rows`` strings with its ``key``: how many rows before it with the same string
 * and key are ``counted`` (nonzero), into ``out``. The groups are kept in an open-addressing
 * table of ``slots`` (a power of two above ``rows``): ``first`` holds each slot's group's
 * first row (-1 throughout at the start: empty), ``seen`` its rows counted so far (0). */
void ranks_in_groups(const int32_t *offsets, const uint8_t *data, const int64_t *keys,
                     const uint8_t *counted, int64_t rows, int64_t *first, int64_t *seen,
                     int64_t slots, int64_t *out) {
    uint64_t mask = (uint64_t)slots - 1;
    for (int64_t row = 0; row < rows; row++) {
        const uint8_t *text = data + offsets[row];
        int32_t size = offsets[row + 1] - offsets[row];
        uint64_t slot = group_hash(text, size, keys[row]) & mask;
        for (;; slot = (slot + 1) & mask) {
            int64_t other = first[slot];
            if (other < 0) {
                first[slot] = row;
                break;
            }
            if (keys[other] == keys[row] && offsets[other + 1] - offsets[other] == size &&
                memcmp(data + offsets[other], text, (size_t)size) == 0)
                break;
        }
        out[row] = seen[slot];
        seen[slot] += counted[row] != 0;
    }
}
