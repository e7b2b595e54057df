/* Ascending values searched for many keys at once: NumPy's ``searchsorted`` (side "right"),
 * narrowed by a guide table (``reference/search.py``'s ``Sorted``), in one pass over the keys.
 * The same search through NumPy makes a dozen arrays the size of the keys; this makes none.
 *
 * A plain C library, loaded by ``native/search.py`` through ctypes: no Python API. The guide:
 * ``counts[b]`` is how many values are at most the start of bucket ``b``, the buckets
 * ``1 / scale`` wide from ``low`` on. A key's bucket only narrows the search: the values on
 * either side of it are checked, so that rounding in the buckets' arithmetic never decides
 * an answer (the whole range is searched when a check fails).
 */

#include <stdint.h>

/* Whether ``value`` comes after ``key`` in NumPy's order (NaN after every number). */
#define AFTER(value, key) ((value) > (key) || ((value) != (value) && (key) == (key)))

/* For each of the ``count`` keys, how many of the ``n`` ascending ``values`` are at most it,
 * into ``out``; ``counts`` has ``buckets + 1`` entries. */
#define SEARCH_RIGHT(name, type)                                                               \
    void name(const type *values, int64_t n, const int32_t *counts, int64_t buckets,          \
              double low, double scale, const type *keys, int64_t count, int64_t *out) {      \
        for (int64_t i = 0; i < count; i++) {                                                \
            type key = keys[i];                                                              \
            double at = ((double)key - low) * scale;                                         \
            int64_t bucket = at >= 1.0 ? (at < (double)(buckets - 1) ? (int64_t)at            \
                                                                     : buckets - 1)          \
                                       : 0;                                                  \
            int64_t first = counts[bucket], last = counts[bucket + 1];                       \
            if (first > 0 && AFTER(values[first - 1], key)) first = 0;                       \
            if (last < n && !AFTER(values[last], key)) last = n;                             \
            while (first < last) { /* values before first are at most key, from last after */ \
                int64_t middle = first + (last - first) / 2;                                 \
                if (AFTER(values[middle], key)) {                                            \
                    last = middle;                                                           \
                } else {                                                                     \
                    first = middle + 1;                                                      \
                }                                                                            \
            }                                                                                \
            out[i] = first;                                                                  \
        }                                                                                    \
    }

SEARCH_RIGHT(search_right_double, double)
SEARCH_RIGHT(search_right_int64, int64_t)
