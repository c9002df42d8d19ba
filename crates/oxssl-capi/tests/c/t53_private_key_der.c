/* d2i_AutoPrivateKey / d2i_PrivateKey / i2d_PrivateKey round trips (the DER form each
 * library writes may differ; the key it reads back must not). */
#include "common.h"
#include <openssl/pem.h>
#include <openssl/evp.h>

int main(int argc, char **argv)
{
    args(argc, argv);
    FILE *f = fopen(KEY, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    printf("loaded=%d id=%d bits=%d\n", k != NULL, EVP_PKEY_get_id(k), EVP_PKEY_get_bits(k));
    int len = i2d_PrivateKey(k, NULL);
    printf("i2d length>0=%d\n", len > 0);
    unsigned char *der = NULL;
    int len2 = i2d_PrivateKey(k, &der);
    printf("i2d alloc same length=%d\n", len2 == len && der != NULL);
    const unsigned char *p = der;
    EVP_PKEY *back = d2i_AutoPrivateKey(NULL, &p, len);
    printf("d2i_AutoPrivateKey=%d id=%d\n", back != NULL, EVP_PKEY_get_id(back));
    printf("advanced by the length=%d\n", (int)(p - der) == len);
    EVP_PKEY *slot = NULL;
    p = der;
    EVP_PKEY *typed = d2i_PrivateKey(EVP_PKEY_get_id(k), &slot, &p, len);
    printf("d2i_PrivateKey=%d into slot=%d\n", typed != NULL, slot == typed);
    p = der;
    EVP_PKEY *cut = d2i_AutoPrivateKey(NULL, &p, len / 2);
    printf("truncated=%s moved=%d\n", cut ? "key" : "NULL", p != der);
    printf("queue has errors=%d\n", ERR_peek_error() != 0);
    ERR_clear_error();
    EVP_PKEY_free(typed);
    EVP_PKEY_free(back);
    EVP_PKEY_free(cut);
    EVP_PKEY_free(k);
    OPENSSL_free(der);
    printf("done\n");
    return 0;
}
