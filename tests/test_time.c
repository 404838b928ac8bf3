/* ISO 8601 instants and durations. */
#include "ccs_time.h"

#include <criterion/criterion.h>

Test(time, instants_and_offsets)
{
    int64_t t;
    cr_assert_eq(ccs_time_parse("1970-01-01T00:00:00Z", &t), 0);
    cr_assert_eq(t, 0);
    cr_assert_eq(ccs_time_parse("2023-01-01 00:00:00+00:00", &t), 0);
    cr_assert_eq(t, INT64_C(1672531200) * 1000000);
    int64_t u;
    cr_assert_eq(ccs_time_parse("2023-01-01T01:00:00+01:00", &u), 0);
    cr_assert_eq(u, t);
    cr_assert_eq(ccs_time_parse("2023-11-16 18:15:46.6805900", &t), 0);
    cr_assert_eq(t % 1000000, 680590);
    cr_assert_eq(ccs_time_parse("2024-02-29", &t), 0);
    cr_assert_neq(ccs_time_parse("2023-02-29", &t), 0);
    cr_assert_neq(ccs_time_parse("2023-01-01T24:00:00Z", &t), 0);
    cr_assert_neq(ccs_time_parse("2023-01-01T00:00:00Zjunk", &t), 0);
    char buf[32];
    ccs_time_format(INT64_C(1672531200) * 1000000 + 3723 * INT64_C(1000000), buf, sizeof buf);
    cr_assert_str_eq(buf, "2023-01-01T01:02:03Z");
}

Test(time, durations)
{
    int64_t d;
    cr_assert_eq(ccs_duration_parse("4h30m", &d), 0);
    cr_assert_eq(d, (4 * 60 + 30) * CCS_US_PER_MIN);
    cr_assert_eq(ccs_duration_parse("8772h", &d), 0);
    cr_assert_eq(d, 8772 * CCS_US_PER_HOUR);
    cr_assert_eq(ccs_duration_parse("7d", &d), 0);
    cr_assert_eq(d, 7 * CCS_US_PER_DAY);
    cr_assert_eq(ccs_duration_parse("250ms", &d), 0);
    cr_assert_eq(d, 250000);
    cr_assert_eq(ccs_duration_parse("1.5h", &d), 0);
    cr_assert_eq(d, 90 * CCS_US_PER_MIN);
    cr_assert_neq(ccs_duration_parse("7x", &d), 0);
    cr_assert_neq(ccs_duration_parse("", &d), 0);
    cr_assert_neq(ccs_duration_parse("-1h", &d), 0);
    cr_assert_neq(ccs_duration_parse("h", &d), 0);
}
