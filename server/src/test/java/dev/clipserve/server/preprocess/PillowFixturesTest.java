package dev.clipserve.server.preprocess;

import static dev.clipserve.server.preprocess.ImagePreprocessorGoldenTest.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.clipserve.server.util.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every EXIF orientation and the less common formats (progressive/4:2:2/gray/ICC/CMYK JPEG, CMYK
 * TIFF, 1-bit and 2-bit palette PNG, animated GIF, BMP, 16-bit RGB(A) PNG, extreme aspect ratio)
 * against Pillow 9.4 output made by {@code resources/preprocess/pillow/make_fixtures.py}.
 */
class PillowFixturesTest {
  static final Path DIR = ImagePreprocessorGoldenTest.RESOURCES.resolve("preprocess/pillow");
  static final ImageSpec CLIP_16 =
      new ImageSpec(
          16,
          new float[] {0.48145466f, 0.4578275f, 0.40821073f},
          new float[] {0.26862954f, 0.26130258f, 0.27577711f});

  static Stream<Arguments> cases() throws IOException {
    JsonObject json = JsonParser.parseString(Files.readString(DIR.resolve("cases.json")))
        .getAsJsonObject();
    assertEquals(CLIP_16.size(), json.get("size").getAsInt());
    List<Arguments> out = new ArrayList<>();
    for (var c : json.getAsJsonArray("cases")) {
      JsonObject o = c.getAsJsonObject();
      out.add(Arguments.of(o.get("file").getAsString(), o.get("description").getAsString()));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void matchesPillowBitForBit(String file, String description) throws IOException {
    ImagePreprocessor pre = new ImagePreprocessor(CLIP_16, 1_000_000);
    float[] out = new float[pre.floatsPerImage()];
    pre.preprocessEncoded(Files.readAllBytes(DIR.resolve(file)), out, 0);
    assertWithin(Npy.read(DIR.resolve(file + ".npy")).floats(), out, 0f);
  }

  @Test
  void refusesCmykJpegWithIccProfileClearly() throws IOException {
    ImagePreprocessor pre = new ImagePreprocessor(CLIP_16, 1_000_000);
    byte[] jpeg = Files.readAllBytes(DIR.resolve("refused_cmyk_icc.jpg"));
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class,
            () -> pre.preprocessEncoded(jpeg, new float[pre.floatsPerImage()], 0));
    assertTrue(e.getMessage().startsWith("unsupported image: JPEG"), e.getMessage());
    assertTrue(e.getMessage().contains("send it as RGB"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsTheDeclaredExifOrientation(String file, String description) throws IOException {
    int expected = file.startsWith("exif") ? file.charAt(4) - '0' : ExifOrientation.NORMAL;
    assertEquals(expected, ExifOrientation.read(Files.readAllBytes(DIR.resolve(file))));
  }
}
