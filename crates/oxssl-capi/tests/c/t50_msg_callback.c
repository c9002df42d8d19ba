/* The msg callback: handshake messages, alerts and change_cipher_spec each side sends and
 * receives (record headers and TLS 1.3 inner content types are left out of the print). */
#include "common.h"

static void on_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    const unsigned char *b = buf;
    (void)version;
    (void)ssl;
    if (content_type == SSL3_RT_HANDSHAKE && len >= 4)
        printf("%s %s handshake type %d\n", (const char *)arg, write_p ? "sent" : "got", b[0]);
    else if (content_type == SSL3_RT_ALERT && len == 2)
        printf("%s %s alert %d/%d\n", (const char *)arg, write_p ? "sent" : "got", b[0], b[1]);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    for (int v = 0; v < 2; v++) {
        int version = v ? TLS1_2_VERSION : TLS1_3_VERSION;
        printf("== %s\n", v ? "TLS 1.2" : "TLS 1.3");
        SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
        SSL_CTX_set_msg_callback(cctx, on_msg);
        SSL_CTX_set_msg_callback_arg(cctx, "client");
        SSL *c, *s;
        make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
        SSL_set_msg_callback(s, on_msg);
        SSL_set_msg_callback_arg(s, "server");
        if (!handshake(c, s))
            return 1;
        printf("handshake done\n");
        int r = SSL_shutdown(c);
        printf("client shutdown=%d\n", r);
        char buf[8];
        r = SSL_read(s, buf, sizeof(buf));
        printf("server read=%d err=%d\n", r, SSL_get_error(s, r));
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
    }
    printf("done\n");
    return 0;
}
