/* Ascending values searched for many keys at once: NumPy's ``searchsorted`` (side "right"),
 * narrowed by a guide table (``reference/search.py``'s ``Sorted``), in one pass over the keys.
 * The same through NumPy makes a dozen arrays the size of the keys; this makes none.
 *
 * A plain C library, loaded by ``native/search.py`` through ctypes: no Python API. A key's
 * bucket only narrows its search: the values on either side of it are checked, so that
 * rounding in the buckets' arithmetic never decides an answer (the whole range is searched
 * when a check fails). And three draws in one pass each: the last step of Walker's alias
 * method, for ``reference.Pool``'s draws; draws from lookup tables and picks by weight within
 * groups, for the retail lines (``generate/datasets/shoppers.py``, ``shelf.py``).
 *
 * Built with ``-ffp-contract=off`` (``setup.py``): ``pick_in_groups`` must round as NumPy,
 * which multiplies and adds in two steps, never in one fused instruction.
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
    static int64_t guided_right_of_##type(const type *values, int64_t n, const int32_t *counts, \
                                          int64_t buckets, double low, double scale, type key) { \
        double at = ((double)key - low) * scale;                                               \
        int64_t bucket = at >= 1.0 ? (at < (double)(buckets - 1) ? (int64_t)at : buckets - 1)  \
                                   : 0;                                                        \
        return right_of_##type(values, n, key, counts[bucket], counts[bucket + 1]);            \
    }                                                                                          \
                                                                                               \
    void search_right_##type(const type *values, int64_t n, const int32_t *counts,             \
                             int64_t buckets, double low, double scale, const type *keys,      \
                             int64_t count, int64_t *out) {                                    \
        for (int64_t i = 0; i < count; i++)                                                    \
            out[i] = guided_right_of_##type(values, n, counts, buckets, low, scale, keys[i]);  \
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

/* ``index`` of an array of ``n`` as NumPy reads it (a negative one counts from the end), or -1
 * when it lies outside. */
static int64_t wrapped(int64_t index, int64_t n) {
    if (index < 0) index += n;
    return (uint64_t)index < (uint64_t)n ? index : -1;
}

/* ``lookup_draw_TYPE``: for each of ``count`` draws, entry ``row * size + column`` of the flat
 * ``table`` of ``n`` entries (``shoppers.draw_rows``), into ``out``. Return 0, or -1 when an
 * entry lies outside the table. */
#define LOOKUP_DRAW(type)                                                                      \
    int64_t lookup_draw_##type(const type *table, const int64_t *row, const uint16_t *column,  \
                               int64_t n, int64_t size, int64_t count, int64_t *out) {         \
        for (int64_t i = 0; i < count; i++) {                                                  \
            int64_t at = wrapped(row[i] * size + column[i], n);                                \
            if (at < 0) return -1;                                                             \
            out[i] = table[at];                                                                \
        }                                                                                      \
        return 0;                                                                              \
    }

LOOKUP_DRAW(uint8_t)
LOOKUP_DRAW(uint16_t)

/* A member of each of ``count`` groups picked by weight (``shelf.in_groups``): group ``g``'s
 * members are ``order[starts[g]]`` to ``order[starts[g + 1] - 1]``, their weights summed in the
 * ascending ``cumulative`` (``n`` values with their guide, as ``search_right_double`` takes
 * them), from ``cumulative[starts[g]]`` to ``cumulative[starts[g + 1]]``; the pick is the one
 * whose share holds ``uniform`` of the group's span. As NumPy's indexing, ``searchsorted``
 * (side "right") and ``clip`` give it, into ``out``. Return 0, or -1 when an index lies
 * outside its array. */
int64_t pick_in_groups(const int64_t *group, const double *uniform, int64_t count,
                       const int64_t *starts, int64_t bounds, const double *cumulative, int64_t n,
                       const int32_t *counts, int64_t buckets, double low, double scale,
                       const int64_t *order, int64_t members, int64_t *out) {
    for (int64_t i = 0; i < count; i++) {
        int64_t first = wrapped(group[i], bounds), after = wrapped(group[i] + 1, bounds);
        if (first < 0 || after < 0) return -1;
        int64_t start = starts[first], stop = starts[after];
        int64_t least = wrapped(start, n), most = wrapped(stop, n);
        if (least < 0 || most < 0) return -1;
        double target = cumulative[least] + uniform[i] * (cumulative[most] - cumulative[least]);
        int64_t position =
            guided_right_of_double(cumulative, n, counts, buckets, low, scale, target) - 1;
        position = position > start ? position : start;
        position = position < stop - 1 ? position : stop - 1;
        int64_t member = wrapped(position, members);
        if (member < 0) return -1;
        out[i] = order[member];
    }
    return 0;
}
