/* Ascending values searched for many keys at once: NumPy's ``searchsorted`` (side "right"),
 * narrowed by a guide table (``reference/search.py``'s ``Sorted``), in one pass over the keys.
 * The same through NumPy makes a dozen arrays the size of the keys; this makes none.
 *
 * A plain C library, loaded by ``native/search.py`` through ctypes: no Python API. A key's
 * bucket only narrows its search: the values on either side of it are checked, so that
 * rounding in the buckets' arithmetic never decides an answer (the whole range is searched
 * when a check fails). And the last step of Walker's alias method, for ``reference.Pool``'s
 * draws.
 */

#include <stdint.h>

/* Whether ``value`` comes after ``key`` in NumPy's order, NaN after every number, for a key
 * that is not NaN (every value is at most a NaN key). */
#define AFTER(value, key) (!((value) <= (key)))

/* ``right_of_TYPE``: how many of the ``n`` ascending ``values`` are at most ``key``, the
 * answer most likely from ``first`` to ``last``.
 *
 * ``search_right_TYPE``: that for each of the ``count`` keys, into ``out``, narrowed by the
 * guide: ``counts[b]`` (``buckets + 1`` of them) is how many values are at most the start of
 * bucket ``b``, the buckets ``1 / scale`` wide from ``low`` on. */
#define SEARCH_RIGHT(type)                                                                     \
    static int64_t right_of_##type(const type *values, int64_t n, type key, int64_t first,     \
                                   int64_t last) {                                             \
        if (key != key) return n;                                                              \
        if (first > 0 && AFTER(values[first - 1], key)) first = 0;                             \
        if (last < n && !AFTER(values[last], key)) last = n;                                   \
        /* the answer lies from first to first + left; halved without a branch (the keys     \
         * come in no order a branch predictor could follow) */                                \
        int64_t left = last - first;                                                           \
        while (left > 1) {                                                                     \
            int64_t half = left / 2;                                                           \
            first += half * !AFTER(values[first + half - 1], key);                             \
            left -= half;                                                                      \
        }                                                                                      \
        return left ? first + !AFTER(values[first], key) : first;                              \
    }                                                                                          \
                                                                                               \
    void search_right_##type(const type *values, int64_t n, const int32_t *counts,             \
                             int64_t buckets, double low, double scale, const type *keys,      \
                             int64_t count, int64_t *out) {                                    \
        for (int64_t i = 0; i < count; i++) {                                                  \
            double at = ((double)keys[i] - low) * scale;                                       \
            int64_t bucket = at >= 1.0 ? (at < (double)(buckets - 1) ? (int64_t)at              \
                                                                     : buckets - 1)            \
                                       : 0;                                                    \
            out[i] = right_of_##type(values, n, keys[i], counts[bucket], counts[bucket + 1]);  \
        }                                                                                      \
    }

SEARCH_RIGHT(double)
SEARCH_RIGHT(int64_t)

/* Walker's alias method, its last step (``reference.Pool.draw``): for each of ``count`` draws,
 * the drawn ``column`` (of a table of ``n``) kept when its ``uniform`` number is below the
 * column's ``keep`` share, else the column's ``alias``; into ``out``. One pass without a branch
 * on the coin, where NumPy makes four arrays the size of the draws. Return 0, or -1 when a
 * column lies outside the table. */
int64_t alias_pick(const int64_t *column, const double *uniform, const double *keep,
                   const int64_t *alias, int64_t n, int64_t count, int64_t *out) {
    for (int64_t i = 0; i < count; i++) {
        int64_t drawn = column[i];
        if ((uint64_t)drawn >= (uint64_t)n) return -1;
        int64_t other = alias[drawn];
        int64_t kept = uniform[i] < keep[drawn];  /* a coin: no branch on it */
        out[i] = other + kept * (drawn - other);
    }
    return 0;
}
