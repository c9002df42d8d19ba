/* X509 and PEM accessors on a fixed certificate: PEM reading from a memory BIO (a key
 * before the certificate is skipped), names in OpenSSL's print formats (multi-valued RDN,
 * escaping, UTF-8), validity times, DER round trip, keys, verify error strings, files. */
#include "common.h"
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/evp.h>

static const char PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnZRGicBu6a5gH30v\n"
    "fk7jVjfGncWJM2h7aRkw768TqjChRANCAARpoMyLLnNmU9aB/foY3kbrxvVtanbd\n"
    "Dm+NzlhuJNQkr/QFjfQi9mcHROMO5okEw4v8P6rgfrdA7+472PY+PUw1\n"
    "-----END PRIVATE KEY-----\n"
    "-----BEGIN CERTIFICATE-----\n"
    "MIICbTCCAhOgAwIBAgICEjQwCgYIKoZIzj0EAwIwgZMxCzAJBgNVBAYTAlVTMRMw\n"
    "EQYDVQQIDApTb21lIFN0YXRlMRcwFQYDVQQKDA5FeCwgSW5jLiBDYWbDqTEhMA0G\n"
    "A1UECwwGVW5pdCAxMBAGCgmSJomT8ixkAQEMAnU3MRcwFQYDVQQDDA4gbGVhZCNz\n"
    "cGFjZSwgeDEaMBgGCSqGSIb3DQEJARYLYUBiLmV4YW1wbGUwIBcNMjYxMTI3MTEz\n"
    "NzIzWhgPMjEyNjExMDMxMTM3MjNaMIGTMQswCQYDVQQGEwJVUzETMBEGA1UECAwK\n"
    "U29tZSBTdGF0ZTEXMBUGA1UECgwORXgsIEluYy4gQ2Fmw6kxITANBgNVBAsMBlVu\n"
    "aXQgMTAQBgoJkiaJk/IsZAEBDAJ1NzEXMBUGA1UEAwwOIGxlYWQjc3BhY2UsIHgx\n"
    "GjAYBgkqhkiG9w0BCQEWC2FAYi5leGFtcGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAEaaDMiy5zZlPWgf36GN5G68b1bWp23Q5vjc5YbiTUJK/0BY30IvZnB0Tj\n"
    "DuaJBMOL/D+q4H63QO/uO9j2Pj1MNaNTMFEwHQYDVR0OBBYEFJtrnI0HOFVNn7SQ\n"
    "m7Oit4DGOqUoMB8GA1UdIwQYMBaAFJtrnI0HOFVNn7SQm7Oit4DGOqUoMA8GA1Ud\n"
    "EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgELZ3XB0vA/dLhjjNw/HZ78/W\n"
    "aqaXQ16W8ALtnNGHEi4CIQD90sTkE6V4nnZJvtUiS+Jy6PS7DFxWZ/jX37nC8GA1\n"
    "eg==\n"
    "-----END CERTIFICATE-----\n";

static void show_bio(const char *tag, BIO *m)
{
    char buf[2048];
    int n = BIO_read(m, buf, sizeof(buf) - 1);
    if (n < 0)
        n = 0;
    buf[n] = 0;
    printf("%s: [%s]\n", tag, buf);
}

static void print_name(const char *tag, const X509_NAME *nm, int indent, unsigned long flags)
{
    BIO *m = BIO_new(BIO_s_mem());
    int r = X509_NAME_print_ex(m, nm, indent, flags);
    printf("%s ret=%d\n", tag, r);
    show_bio(tag, m);
    BIO_free(m);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    BIO *in = BIO_new(BIO_s_mem());
    BIO_write(in, PEM, (int)strlen(PEM));
    X509 *x = PEM_read_bio_X509(in, NULL, NULL, NULL);
    printf("read cert: %s\n", x ? "ok" : "NULL");
    errs("read cert");
    X509 *again = PEM_read_bio_X509(in, NULL, NULL, NULL);
    printf("read again: %s\n", again ? "ok" : "NULL");
    errs("read again");
    BIO_free(in);
    if (x == NULL)
        return 1;

    X509_NAME *sub = X509_get_subject_name(x), *iss = X509_get_issuer_name(x);
    char buf[256], small[12];
    printf("oneline: %s\n", X509_NAME_oneline(sub, buf, sizeof(buf)));
    printf("oneline small: %s\n", X509_NAME_oneline(sub, small, sizeof(small)));
    char *dyn = X509_NAME_oneline(iss, NULL, 0);
    printf("issuer oneline: %s\n", dyn);
    OPENSSL_free(dyn);
    printf("entries: %d\n", X509_NAME_entry_count(sub));
    print_name("ONELINE", sub, 0, XN_FLAG_ONELINE);
    print_name("RFC2253", sub, 0, XN_FLAG_RFC2253);
    print_name("MULTILINE", sub, 4, XN_FLAG_MULTILINE);
    print_name("COMPAT", sub, 0, XN_FLAG_COMPAT);
    print_name("RFC2253 FN_LN", sub, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_FN_MASK) | XN_FLAG_FN_LN);
    print_name("RFC2253 FN_OID", sub, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_FN_MASK) | XN_FLAG_FN_OID);
    print_name("ONELINE FN_NONE", sub, 0, (XN_FLAG_ONELINE & ~XN_FLAG_FN_MASK) | XN_FLAG_FN_NONE);
    print_name("SPLUS no quote", sub, 2, ASN1_STRFLGS_RFC2253 | XN_FLAG_SEP_SPLUS_SPC);
    print_name("no separator", sub, 0, ASN1_STRFLGS_RFC2253);
    X509_NAME_print_ex_fp(stdout, sub, 0, XN_FLAG_ONELINE);
    printf("\n");

    BIO *m = BIO_new(BIO_s_mem());
    printf("notBefore print=%d\n", ASN1_TIME_print(m, X509_get0_notBefore(x)));
    BIO_write(m, " / ", 3);
    printf("notAfter print=%d\n", ASN1_TIME_print(m, X509_get_notAfter(x)));
    show_bio("times", m);
    BIO_free(m);

    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    printf("i2d len=%d null-len=%d\n", len, i2d_X509(x, NULL));
    const unsigned char *p = der;
    X509 *y = d2i_X509(NULL, &p, len);
    printf("d2i: %s consumed=%d\n", y ? "ok" : "NULL", (int)(p - der));
    X509_NAME_oneline(X509_get_subject_name(y), buf, sizeof(buf));
    printf("d2i subject: %s\n", buf);
    p = der;
    X509 *z = d2i_X509(NULL, &p, 10);
    printf("d2i short: %s\n", z ? "ok" : "NULL");
    while (ERR_get_error() != 0) {}
    OPENSSL_free(der);
    printf("up_ref=%d\n", X509_up_ref(y));
    X509_free(y);
    X509_free(y);
    X509_free(NULL);

    in = BIO_new(BIO_s_mem());
    BIO_write(in, PEM, (int)strlen(PEM));
    EVP_PKEY *k = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    printf("key: %s id=%d base=%d bits=%d\n", k ? "ok" : "NULL", EVP_PKEY_get_id(k),
           EVP_PKEY_base_id(k), EVP_PKEY_bits(k));
    EVP_PKEY *k2 = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    printf("key again: %s\n", k2 ? "ok" : "NULL");
    errs("key again");
    printf("pkey up_ref=%d\n", EVP_PKEY_up_ref(k));
    EVP_PKEY_free(k);
    EVP_PKEY_free(k);
    BIO_free(in);

    long codes[] = {0, 2, 9, 10, 18, 19, 20, 21, 62, 64, 9999};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        printf("verify %ld: %s\n", codes[i], X509_verify_cert_error_string(codes[i]));

    FILE *f = fopen(CERT, "r");
    X509 *fx = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    f = fopen(KEY, "r");
    EVP_PKEY *fk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    printf("files: cert=%s key=%s id=%d\n", fx ? "ok" : "NULL", fk ? "ok" : "NULL",
           EVP_PKEY_id(fk));
    print_name("file subject", X509_get_subject_name(fx), 0, XN_FLAG_ONELINE);
    X509 *slot = NULL;
    f = fopen(CERT, "r");
    PEM_read_X509(f, &slot, NULL, NULL);
    fclose(f);
    printf("slot filled: %d\n", slot != NULL);
    X509_free(slot);
    X509_free(fx);
    EVP_PKEY_free(fk);
    X509_free(x);
    errs("end");
    return 0;
}
