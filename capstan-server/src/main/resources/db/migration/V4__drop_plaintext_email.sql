-- Every email is ciphertext now (migration 3); the plaintext column goes.
ALTER TABLE users DROP COLUMN email;
ALTER TABLE users ALTER COLUMN email_ciphertext SET NOT NULL;
