/* CSV rows from Arrow columns, the bytes Arrow's CSV writer writes with quoting "needed" and
 * no header, made without turning each typed value into a string first (Arrow's writer casts
 * each column to strings, 25-70 ns a value for integers, times and decimals; this writes a
 * value in a few).
 *
 * A plain C library, loaded by ``csv_native.py`` through ctypes: no Python API. Each column is
 * described by a ``Column`` (its kind and its Arrow buffers); a call writes the first
 * ``count`` rows into ``out``, which the caller made large enough (``csv_native._bound``).
 */

#include <stdint.h>
#include <string.h>

enum Kind {
    INT8 = 1, INT16, INT32, INT64, /* signed integers of 1, 2, 4, 8 bytes */
    STRING,                         /* UTF-8 with 32-bit offsets: quoted, quotes doubled */
    TEXT,                           /* UTF-8 with 32-bit offsets, written as it is */
    TIMESTAMP_S,                    /* seconds since 1970: YYYY-MM-DD HH:MM:SS */
    DATE32,                         /* days since 1970: YYYY-MM-DD */
    DECIMAL64,                      /* 64-bit unscaled value, ``scale`` digits after the point */
    BOOLEAN,                        /* bits: true / false */
    DECIMAL128,                     /* 128-bit unscaled value that fits in 64 bits (18 digits,
                                       little-endian: its first 8 bytes), as DECIMAL64 */
    QUOTED                          /* a STRING whose rows at hand hold no quote (``csv_rows``
                                       finds those): quoted, without looking for one */
};

typedef struct {
    int32_t kind;
    int32_t scale;
    int64_t offset;           /* the array's offset, in values */
    const uint8_t *validity;  /* NULL when every value is valid */
    const void *values;       /* fixed-width values, or string offsets */
    const char *data;         /* string bytes */
} Column;

static int is_valid(const Column *column, int64_t row) {
    int64_t bit = column->offset + row;
    return column->validity == NULL || (column->validity[bit >> 3] >> (bit & 7)) & 1;
}

static const char TWO_DIGITS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static int digit_count(uint64_t value) {
    int count = 1;
    while (value >= 10000) {
        value /= 10000;
        count += 4;
    }
    return count + (value >= 10) + (value >= 100) + (value >= 1000);
}

/* Written from its last digit back, two at a time, straight where it goes. */
static char *write_unsigned(char *out, uint64_t value) {
    char *end = out + digit_count(value), *at = end;
    while (value >= 100) {
        memcpy(at -= 2, TWO_DIGITS + 2 * (value % 100), 2);
        value /= 100;
    }
    if (value >= 10) {
        memcpy(at - 2, TWO_DIGITS + 2 * value, 2);
    } else {
        at[-1] = (char)('0' + value);
    }
    return end;
}

static char *write_signed(char *out, int64_t value) {
    if (value < 0) {
        *out++ = '-';
        return write_unsigned(out, (uint64_t)0 - (uint64_t)value);
    }
    return write_unsigned(out, (uint64_t)value);
}

/* ``value`` (below 10 to the ``width``) in ``width`` digits, zeros in front. */
static char *write_padded(char *out, uint64_t value, int width) {
    int i = width;
    while (i >= 2) {
        memcpy(out + (i -= 2), TWO_DIGITS + 2 * (value % 100), 2);
        value /= 100;
    }
    if (i) out[0] = (char)('0' + value % 10);
    return out + width;
}

/* The dates written last, by day: the values of a column mostly fall on few days, those of
 * five years of history (1,826 days in a row) each on a slot of its own (36 KB of stack: with
 * 512 slots, the times of a block's five years took a third longer). And whether a date fell
 * outside years 1 to 9999, which take other than four digits. */
#define CACHED_DAYS 2048
typedef struct {
    int64_t day[CACHED_DAYS];
    char text[CACHED_DAYS][10];
    int outside;
} DateCache;

#define FIRST_DAY (-719162) /* 0001-01-01, in days since 1970-01-01 */
#define LAST_DAY 2932896    /* 9999-12-31 */

/* Year, month and day of ``days`` since 1970-01-01 (H. Hinnant's civil_from_days), right in
 * years 1 to 9999 (``write_date`` checks). */
static void make_date(char *out, int64_t days) {
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    write_padded(out, (uint64_t)year, 4);
    out[4] = '-';
    write_padded(out + 5, (uint64_t)month, 2);
    out[7] = '-';
    write_padded(out + 8, (uint64_t)day, 2);
}

static char *write_date(char *out, int64_t days, DateCache *cache) {
    int slot = (int)((uint64_t)days % CACHED_DAYS);
    if (cache->day[slot] != days) {
        cache->outside |= days < FIRST_DAY || days > LAST_DAY;
        make_date(cache->text[slot], days);
        cache->day[slot] = days;
    }
    memcpy(out, cache->text[slot], 10);
    return out + 10;
}

static char *write_timestamp(char *out, int64_t seconds, DateCache *cache) {
    int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    int64_t time = seconds - days * 86400;
    out = write_date(out, days, cache);
    out[0] = ' ';
    memcpy(out + 1, TWO_DIGITS + 2 * (time / 3600), 2);
    out[3] = ':';
    memcpy(out + 4, TWO_DIGITS + 2 * (time / 60 % 60), 2);
    out[6] = ':';
    memcpy(out + 7, TWO_DIGITS + 2 * (time % 60), 2);
    return out + 9;
}

/* Money (a scale of 2, most decimals) divides by a constant, which the compiler makes a
 * multiplication; another scale by a number it computes, a slower division. */
static char *write_decimal(char *out, int64_t value, int scale) {
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    if (scale == 2) {
        if (value < 0) *out++ = '-';
        out = write_unsigned(out, magnitude / 100);
        *out++ = '.';
        memcpy(out, TWO_DIGITS + 2 * (magnitude % 100), 2);
        return out + 2;
    }
    uint64_t unit = 1;
    for (int i = 0; i < scale; i++) unit *= 10;
    if (value < 0) *out++ = '-';
    out = write_unsigned(out, magnitude / unit);
    if (scale > 0) {
        *out++ = '.';
        out = write_padded(out, magnitude % unit, scale);
    }
    return out;
}

/* Whether bytes are laid out in a 64-bit word from its lowest: the 8-byte searches below read
 * them so (a constant the compiler folds). */
static int little_endian(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one;
}

/* The high bit of each byte of ``word`` that may be a quote: exact up to the first quote. */
static uint64_t quotes_in(uint64_t word) {
    uint64_t x = word ^ 0x2222222222222222ULL;
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

/* Whether the first ``length`` (at most 16) of the 16 bytes from ``text`` hold a quote. */
static int has_quote(const char *text, int32_t length) {
    uint64_t words[2];
    memcpy(words, text, 16);
    uint64_t first = quotes_in(words[0]), second = quotes_in(words[1]);
    if (length < 8) {
        first &= (UINT64_C(1) << (8 * length)) - 1;
        second = 0;
    } else if (length < 16) {
        second &= (UINT64_C(1) << (8 * (length - 8))) - 1;
    }
    return (first | second) != 0;
}

/* A string of rows ``row`` of ``count``, quoted (quotes doubled) or as it is. One of 16 bytes
 * or less is moved as one 16-byte copy the compiler inlines (what follows writes over the
 * rest; the caller leaves 16 bytes to spare) when 16 bytes of the rows' data follow its start:
 * most values, with no call of memcpy or memchr. */
static char *write_string(char *out, const Column *column, int64_t row, int64_t count,
                          int quoted) {
    const int32_t *offsets = (const int32_t *)column->values + column->offset;
    const char *text = column->data + offsets[row];
    int32_t length = offsets[row + 1] - offsets[row];
    int short_value =
        length <= 16 && (int64_t)offsets[row] + 16 <= offsets[count] && little_endian();
    if (quoted) *out++ = '"';
    if (short_value && !(quoted && has_quote(text, length))) {
        memcpy(out, text, 16);
        out += length;
    } else if (!quoted || memchr(text, '"', (size_t)length) == NULL) {
        memcpy(out, text, (size_t)length);
        out += length;
    } else {
        for (int32_t i = 0; i < length; i++) {
            if (text[i] == '"') *out++ = '"';
            *out++ = text[i];
        }
    }
    if (quoted) *out++ = '"';
    return out;
}

/* A string of rows ``row`` of ``count`` that holds no quote, quoted. */
static char *write_quoted(char *out, const Column *column, int64_t row, int64_t count) {
    *out++ = '"';
    out = write_string(out, column, row, count, 0);
    *out++ = '"';
    return out;
}

static char *write_value(char *out, const Column *column, int64_t row, int64_t count,
                         DateCache *cache) {
    int64_t at = column->offset + row;
    switch (column->kind) {
    case INT8: return write_signed(out, ((const int8_t *)column->values)[at]);
    case INT16: return write_signed(out, ((const int16_t *)column->values)[at]);
    case INT32: return write_signed(out, ((const int32_t *)column->values)[at]);
    case INT64: return write_signed(out, ((const int64_t *)column->values)[at]);
    case STRING: return write_string(out, column, row, count, 1);
    case TEXT: return write_string(out, column, row, count, 0);
    case QUOTED: return write_quoted(out, column, row, count);
    case TIMESTAMP_S: return write_timestamp(out, ((const int64_t *)column->values)[at], cache);
    case DATE32: return write_date(out, ((const int32_t *)column->values)[at], cache);
    case DECIMAL64:
        return write_decimal(out, ((const int64_t *)column->values)[at], column->scale);
    case DECIMAL128:
        return write_decimal(out, ((const int64_t *)column->values)[2 * at], column->scale);
    case BOOLEAN: {
        int set = (((const uint8_t *)column->values)[at >> 3] >> (at & 7)) & 1;
        memcpy(out, set ? "true" : "false", set ? 4 : 5);
        return out + (set ? 4 : 5);
    }
    }
    return out;
}

/* Whether the text of rows 0 to ``count`` of a string column holds a quote: one search of the
 * whole text, where a search in each value took a twelfth of the writing. */
static int text_has_quote(const Column *column, int64_t count) {
    const int32_t *offsets = (const int32_t *)column->values + column->offset;
    size_t size = (size_t)(offsets[count] - offsets[0]);
    return size > 0 && memchr(column->data + offsets[0], '"', size) != NULL;
}

/* Write the first ``count`` rows of the ``n`` columns into ``out``, each value followed by a
 * comma, the row's last by a newline (a null: nothing); return the bytes written, or -1 when
 * a date or time lies outside years 1 to 9999 (what was written is then not the CSV: the caller
 * has Arrow write those). ``out`` holds 16 bytes more than they take at most (see
 * ``write_string``). */
int64_t csv_rows(const Column *given, int32_t n, int64_t count, char *out) {
    char *start = out;
    Column columns[n > 0 ? n : 1]; /* as given, a string column without a quote made QUOTED */
    for (int32_t c = 0; c < n; c++) {
        columns[c] = given[c];
        if (given[c].kind == STRING && !text_has_quote(&given[c], count)) columns[c].kind = QUOTED;
    }
    DateCache cache;
    cache.outside = 0;
    for (int i = 0; i < CACHED_DAYS; i++) cache.day[i] = INT64_MIN;  /* no day yet */
    for (int64_t row = 0; row < count; row++) {
        for (int32_t c = 0; c < n; c++) {
            if (is_valid(&columns[c], row)) out = write_value(out, &columns[c], row, count, &cache);
            *out++ = c + 1 < n ? ',' : '\n';
        }
    }
    return cache.outside ? -1 : out - start;
}
