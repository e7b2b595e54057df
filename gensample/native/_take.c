/* Arrow's take for strings (values gathered at given positions), several times faster than
 * Arrow's own: Arrow copies each value with a call of memcpy, this copies a short one (32 bytes
 * or less, most of a block's) with one or two 16-byte moves the compiler inlines.
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

/* The bytes of the values at ``positions``, into ``out`` at ``out_offsets`` (from
 * ``take_offsets``); ``out`` has 32 bytes to spare after the last. */
void take_bytes(const int32_t *offsets, int64_t length, const uint8_t *data,
                const int64_t *positions, int64_t count, const int32_t *out_offsets,
                uint8_t *out) {
    int32_t end = offsets[length];  /* no byte beyond it is read */
    for (int64_t i = 0; i < count; i++) {
        int32_t start = offsets[positions[i]];
        int32_t size = out_offsets[i + 1] - out_offsets[i];
        if (size <= 16 && (int64_t)start + 16 <= end) {
            memcpy(out + out_offsets[i], data + start, 16);  /* the next value writes over */
        } else if (size <= 32 && (int64_t)start + 32 <= end) {
            memcpy(out + out_offsets[i], data + start, 32);
        } else if (size > 0) {
            memcpy(out + out_offsets[i], data + start, (size_t)size);
        }
    }
}

/* The validity bits at ``positions`` of a bitmap whose first value is bit ``first``, into
 * ``out`` (``(count + 7) / 8`` bytes); return how many are not set (the nulls). */
int64_t take_validity(const uint8_t *validity, int64_t first, const int64_t *positions,
                      int64_t count, uint8_t *out) {
    int64_t valid = 0;
    memset(out, 0, (size_t)((count + 7) / 8));
    for (int64_t i = 0; i < count; i++) {
        int64_t bit = first + positions[i];
        int set = (validity[bit >> 3] >> (bit & 7)) & 1;
        out[i >> 3] |= (uint8_t)(set << (i & 7));
        valid += set;
    }
    return count - valid;
}
