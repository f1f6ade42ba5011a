package io.spendstream.ingest.usage;

/**
 * One Gemini modality breakdown ({@code promptTokensDetails} and the like: [{modality, tokenCount}]) grouped
 * by our classes: AUDIO goes to the audio classes, IMAGE and DOCUMENT to the image classes, and TEXT, VIDEO
 * or any other modality stays in the plain class (the price source prices video as text input).
 */
record GeminiModalities(Count audio, Count image, Count all) {
    static GeminiModalities of(UsageObject metadata, String key) throws UsageException {
        long audio = 0;
        long image = 0;
        long all = 0;
        for (UsageObject entry : metadata.objects(key)) {
            long tokens = entry.count("tokenCount").value();
            switch (entry.text("modality")) {
                case "AUDIO" -> audio = Math.addExact(audio, tokens);
                case "IMAGE", "DOCUMENT" -> image = Math.addExact(image, tokens);
                default -> { }
            }
            all = Math.addExact(all, tokens);
        }
        String path = metadata.path() + "." + key;
        return new GeminiModalities(new Count(path + "[modality=AUDIO].tokenCount", audio),
                new Count(path + "[modality=IMAGE|DOCUMENT].tokenCount", image),
                new Count(path + "[*].tokenCount", all));
    }
}
