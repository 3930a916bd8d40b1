### hyoka's messages in English, grouped by command. Every key has its twin in ja.ftl with the same
### placeholders; how to add a message is said at the top of src/cli/i18n/mod.rs.

## The frame of every command's output
error-line = error: { $line }
wait-not-seconds = --wait must be a number of seconds, 0 or more
