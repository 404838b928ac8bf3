/* Writes small HDF5 traces unlike those `ccsim import` makes, as seeds for the HDF5 fuzz harness
 * (tests/fuzz/make-corpus.sh runs it): other storage layouts, types, byte orders, ranks and
 * attribute kinds, so that mutations start from every structure the loader must either read or
 * refuse with a message. Usage: make_h5_seeds FOLDER. Not part of ccsim. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 6

static const long long stamps[N] = {1672531200000000LL, 1672534800000000LL, 1672538400000000LL,
                                    1672542000000000LL, 1672545600000000LL, 1672549200000000LL};

typedef struct layout {
    const char *name;   /* file name */
    hid_t ttype, vtype; /* stored types of /timestamp_us and /value */
    int rank_v;         /* rank of /value: 1, or 2 (N/2 x 2) */
    hsize_t nv;         /* rows of /value (N: as many as the stamps) */
    H5D_layout_t layout;
    int filters;     /* chunked: shuffle, deflate and fletcher32 */
    int int_units;   /* 'units' an integer instead of a string */
    int vlen_kind;   /* 'kind' a variable-length string */
    int nan_and_gap; /* a NaN value and a missing hour */
} layout;

static hid_t dataset(hid_t f, const char *name, hid_t type, int rank, const hsize_t *dims, const layout *l)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_layout(plist, l->layout);
    if (l->layout == H5D_CHUNKED) {
        hsize_t chunk[2] = {dims[0] > 4 ? 4 : dims[0], rank > 1 ? dims[1] : 1};
        H5Pset_chunk(plist, rank, chunk);
        if (l->filters) {
            H5Pset_shuffle(plist);
            H5Pset_deflate(plist, 9);
            H5Pset_fletcher32(plist);
        }
    }
    hid_t d = H5Dcreate2(f, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    H5Pclose(plist);
    H5Sclose(space);
    return d;
}

static void str_attr(hid_t obj, const char *name, const char *value, int vlen)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, vlen ? H5T_VARIABLE : strlen(value) + 1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, vlen ? (const void *)&value : (const void *)value);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
}

static int write_one(const char *dir, const layout *l)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, l->name);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return -1;
    long long t[N];
    double v[N];
    for (int i = 0; i < N; i++) {
        t[i] = stamps[i] + (l->nan_and_gap && i >= 3 ? 3600000000LL : 0);
        v[i] = 100.0 * (i + 1);
    }
    if (l->nan_and_gap) v[1] = NAN;
    hsize_t nt = N, vdims[2] = {l->rank_v == 2 ? l->nv / 2 : l->nv, 2};
    hid_t dt = dataset(f, "timestamp_us", l->ttype, 1, &nt, l);
    hid_t dv = dataset(f, "value", l->vtype, l->rank_v, vdims, l);
    int bad = dt < 0 || dv < 0;
    if (!bad) {
        bad |= H5Dwrite(dt, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) < 0;
        if (H5Tget_class(l->vtype) == H5T_STRING) {
            char text[N][8] = {"100", "200", "300", "400", "500", "600"};
            bad |= H5Dwrite(dv, l->vtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0;
        } else {
            bad |= H5Dwrite(dv, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
        }
        if (l->int_units) {
            hid_t space = H5Screate(H5S_SCALAR);
            hid_t a = H5Acreate2(dv, "units", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
            int one = 1;
            H5Awrite(a, H5T_NATIVE_INT, &one);
            H5Aclose(a);
            H5Sclose(space);
        } else {
            str_attr(dv, "units", "gCO2e/kWh", 0);
        }
        str_attr(dv, "kind", "carbon_intensity", l->vlen_kind);
    }
    if (dt >= 0) H5Dclose(dt);
    if (dv >= 0) H5Dclose(dv);
    H5Fclose(f);
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FOLDER\n", argv[0]);
        return 2;
    }
    hid_t str8 = H5Tcopy(H5T_C_S1);
    H5Tset_size(str8, 8);
    const layout layouts[] = {
        {"contiguous.h5", H5T_STD_I64LE, H5T_IEEE_F64LE, 1, N, H5D_CONTIGUOUS, 0, 0, 0, 0},
        {"compact.h5", H5T_STD_I64LE, H5T_IEEE_F64LE, 1, N, H5D_COMPACT, 0, 0, 0, 0},
        {"big-endian-filters.h5", H5T_STD_I64BE, H5T_IEEE_F64BE, 1, N, H5D_CHUNKED, 1, 0, 0, 0},
        {"int32-float32.h5", H5T_STD_I32LE, H5T_IEEE_F32LE, 1, N, H5D_CHUNKED, 0, 0, 0, 0},
        {"value-2d.h5", H5T_STD_I64LE, H5T_IEEE_F64LE, 2, N, H5D_CHUNKED, 0, 0, 0, 0},
        {"unequal-lengths.h5", H5T_STD_I64LE, H5T_IEEE_F64LE, 1, N - 2, H5D_CONTIGUOUS, 0, 0, 0, 0},
        {"int-units-vlen-kind.h5", H5T_STD_I64LE, H5T_IEEE_F64LE, 1, N, H5D_CHUNKED, 0, 1, 1, 0},
        {"string-values.h5", H5T_STD_I64LE, str8, 1, N, H5D_CONTIGUOUS, 0, 0, 0, 0},
        {"nan-and-gap.h5", H5T_STD_I64LE, H5T_IEEE_F64LE, 1, N, H5D_CHUNKED, 1, 0, 0, 1},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        if (write_one(argv[1], &layouts[i]) != 0) {
            fprintf(stderr, "make_h5_seeds: cannot write %s\n", layouts[i].name);
            rc = 1;
        }
    }
    H5Tclose(str8);
    return rc;
}
