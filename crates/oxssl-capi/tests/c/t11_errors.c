/* The error queue: OpenSSL 3's packing, order, peek, texts, and NULL arguments. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    char buf[256];
    printf("ERR_PACK(20,0,271)=%08lX\n", (unsigned long)ERR_PACK(ERR_LIB_SSL, 0, SSL_R_BAD_LENGTH));
    printf("empty: get=%lu peek=%lu last=%lu\n", ERR_get_error(), ERR_peek_error(),
           ERR_peek_last_error());

    SSL_CTX *bad = SSL_CTX_new(NULL);
    printf("SSL_CTX_new(NULL)=%s\n", bad == NULL ? "NULL" : "ctx");
    SSL_CTX *cctx = make_ctx(0, 0), *sctx = make_ctx(1, 0);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_write(c, "x", -1);
    unsigned long first = ERR_peek_error(), last = ERR_peek_last_error();
    printf("first lib=%d reason=%d last lib=%d reason=%d\n", ERR_GET_LIB(first),
           ERR_GET_REASON(first), ERR_GET_LIB(last), ERR_GET_REASON(last));
    ERR_error_string_n(last, buf, sizeof(buf));
    printf("string: %s\n", buf);
    printf("lib string: %s\n", ERR_lib_error_string(last));
    printf("reason string: %s\n", ERR_reason_error_string(last));
    ERR_error_string_n(last, buf, 12);
    printf("truncated(12): '%s'\n", buf);
    unsigned long e = ERR_get_error();
    printf("get=%08lX lib=%d reason=%d\n", e, ERR_GET_LIB(e), ERR_GET_REASON(e));
    ERR_error_string_n(e, buf, sizeof(buf));
    printf("string: %s\n", buf);
    e = ERR_get_error();
    printf("get=%08lX\n", e);

    /* SNI name checks go through SSL_ctrl as in OpenSSL. */
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    printf("sni ok=%ld\n", (long)SSL_set_tlsext_host_name(c, "example.com"));
    printf("sni long=%ld\n", (long)SSL_set_tlsext_host_name(c, longname));
    errs("sni long");
    printf("sni empty=%ld\n", (long)SSL_set_tlsext_host_name(c, ""));
    errs("sni empty");
    printf("sni bad type=%ld\n", SSL_ctrl(c, SSL_CTRL_SET_TLSEXT_HOSTNAME, 7, (void *)"x"));
    errs("sni bad type");

    /* System errors: ERR_SYSTEM_FLAG packing. */
    printf("sys lib of 0x80000020: lib=%d reason=%d\n", ERR_GET_LIB(0x80000020UL),
           ERR_GET_REASON(0x80000020UL));

    /* Unknown library / reason texts. */
    ERR_error_string_n(ERR_PACK(20, 0, 4000), buf, sizeof(buf));
    printf("unknown reason: %s\n", buf);
    printf("reason string of unknown=%s\n",
           ERR_reason_error_string(ERR_PACK(20, 0, 4000)) == NULL ? "NULL" : "text");

    /* Missing files. */
    printf("cert file missing=%d\n",
           SSL_CTX_use_certificate_file(cctx, "/nonexistent/cert.pem", SSL_FILETYPE_PEM));
    printf("queue non-empty=%d\n", ERR_peek_error() != 0);
    ERR_clear_error();
    printf("after clear=%lu\n", ERR_peek_error());

    /* Entries stay in order: two BIO errors, then an SSL one. */
    BIO *m = BIO_new(BIO_s_mem());
    printf("BIO_read(-1)=%d\n", BIO_read(m, buf, -1));
    printf("BIO_write(-1)=%d\n", BIO_write(m, buf, -1));
    SSL_read(c, buf, -1);
    errs("mixed");
    BIO_free(m);

    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
