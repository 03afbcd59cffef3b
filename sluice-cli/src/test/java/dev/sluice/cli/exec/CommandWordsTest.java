package dev.sluice.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandWordsTest {

  @Test
  void splitsOnWhitespaceLikeAShell() {
    assertThat(CommandWords.split("  python3   score.py\t--fast \n")).containsExactly(
        "python3", "score.py", "--fast");
  }

  @Test
  void singleQuotesKeepEverythingLiterally() {
    assertThat(CommandWords.split("grep 'a  \"b\" \\n $HOME'")).containsExactly(
        "grep", "a  \"b\" \\n $HOME");
  }

  @Test
  void doubleQuotesKeepSpacesAndUnescapeOnlyQuoteBackslashDollarAndBacktick() {
    assertThat(CommandWords.split("echo \"a b \\\" \\\\ \\$ \\` \\n\"")).containsExactly(
        "echo", "a b \" \\ $ ` \\n");
  }

  @Test
  void aBackslashOutsideQuotesKeepsTheNextCharacter() {
    assertThat(CommandWords.split("cat my\\ file \\'x")).containsExactly("cat", "my file", "'x");
  }

  @Test
  void quotedPartsJoinTheWordAroundThem() {
    assertThat(CommandWords.split("a'b c'\"d e\"f ''")).containsExactly("ab cd ef", "");
  }

  @Test
  void nothingIsExpanded() {
    assertThat(CommandWords.split("echo $HOME *.txt > out; rm x")).containsExactly(
        "echo", "$HOME", "*.txt", ">", "out;", "rm", "x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo 'abc", "echo \"abc", "echo abc\\", "   "})
  void refusesWhatAShellWouldRefuse(String command) {
    assertThatThrownBy(() -> CommandWords.split(command))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--exec");
  }

  @Test
  void findsAProgramOnThePath(@TempDir Path dir) throws IOException {
    Path tool = Files.createFile(dir.resolve("tool"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

    assertThat(CommandWords.resolve("tool", "/nonexistent:" + dir)).isEqualTo(tool);
    assertThat(CommandWords.resolve(tool.toString(), null)).isEqualTo(tool);
  }

  @Test
  void saysWhatIsWrongWithAProgramThatCannotRun(@TempDir Path dir) throws IOException {
    Path plain = Files.createFile(dir.resolve("script.py"));

    assertThatThrownBy(() -> CommandWords.resolve("no-such-tool", dir.toString()))
        .hasMessage("--exec: command 'no-such-tool' not found on PATH "
            + "(give its full path, or install it)");
    assertThatThrownBy(() -> CommandWords.resolve(plain.toString(), null))
        .hasMessageContaining("is not executable").hasMessageContaining("python3");
    assertThatThrownBy(() -> CommandWords.resolve(dir.resolve("gone").toString(), null))
        .hasMessageEndingWith("does not exist");
  }

  @Test
  void theChildEnvironmentIsMinimalPlusWhatTheUserSets() {
    var env = ChildEnvironment.of(java.util.Map.of("PATH", "/bin", "HOME", "/h",
        "SLUICE_MQTT_PASSWORD", "secret", "AWS_SECRET_ACCESS_KEY", "x"),
        List.of("MODEL=small", "EMPTY=", "PATH=/opt/bin"));

    assertThat(env).containsOnly(java.util.Map.entry("PATH", "/opt/bin"),
        java.util.Map.entry("HOME", "/h"), java.util.Map.entry("PYTHONUNBUFFERED", "1"),
        java.util.Map.entry("MODEL", "small"), java.util.Map.entry("EMPTY", ""));
    assertThatThrownBy(() -> ChildEnvironment.of(java.util.Map.of(), List.of("=x")))
        .hasMessageContaining("NAME=VALUE");
  }
}
