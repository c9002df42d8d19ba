/* A servername callback answering SSL_TLSEXT_ERR_ALERT_WARNING: a TLS 1.2 server sends a
 * warning unrecognized_name alert before its ServerHello and goes on without
 * acknowledging the name; a TLS 1.3 server sends nothing (no warning alerts in TLS 1.3).
 * The client goes on (OpenSSL ignores a warning alert before the version is known; oxssl's
 * client does not yet: see KNOWN_DIFFERENCES). */
#include "common.h"

static int calls;

static int sni_cb(SSL *s, int *al, void *arg)
{
    const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    (void)arg;
    calls++;
    printf("  sni cb: name=%s al=%d\n", name ? name : "(null)", *al);
    return SSL_TLSEXT_ERR_ALERT_WARNING;
}

static void info(const SSL *s, int where, int ret)
{
    if (where & SSL_CB_ALERT)
        printf("  info %s: alert %s level=%d desc=%d\n", SSL_is_server(s) ? "server" : "client",
               (where & SSL_CB_READ) ? "read" : "write", ret >> 8, ret & 0xff);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    int versions[2] = {TLS1_3_VERSION, TLS1_2_VERSION};
    for (int i = 0; i < 2; i++) {
        SSL_CTX *cctx = make_ctx(0, versions[i]), *sctx = make_ctx(1, versions[i]);
        SSL *c, *s;
        SSL_CTX_set_tlsext_servername_callback(sctx, sni_cb);
        SSL_CTX_set_info_callback(cctx, info);
        SSL_CTX_set_info_callback(sctx, info);
        calls = 0;
        make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
        SSL_set_tlsext_host_name(c, "localhost");
        int ok = handshake(c, s);
        const char *sn = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
        printf("ok=%d calls=%d server servername=%s\n", ok, calls, sn ? sn : "(null)");
        errs("after");
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
    }
    return 0;
}
