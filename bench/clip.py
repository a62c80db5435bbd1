"""Lesson 07: run the solution notebook in full mode and record its dual encoders' retrieval Recall@K,
zero-shot accuracies (seen and held-out scene combinations, seen and held-out Fashion-MNIST classes),
retrieval with the symmetric and the one-directional loss, text-to-image precision for held-out
combination names, the word-order probes and the linear-probe comparison, each with its chance level.

Usage: python bench/clip.py
"""
from report import notebook_measurement, write_report

MEASURE = '''
import json
print("BENCH" + json.dumps({"results": results_table.fillna(-1).to_dict(orient="index"),
                           "scene_steps": SCENE_STEPS, "train_scenes": len(train_images),
                           "scale": scene_scales[-1], "scale_max": max(scene_scales), "row_scale": row_scales[-1],
                           "repeats": repeats, "pairs": n_pairs}))
'''


def cell(value) -> str:
    return "" if value < 0 else f"{value:.3f}"


def main():
    data = notebook_measurement("07_clip", MEASURE)
    rows = [(name, cell(row["accuracy"]), cell(row["chance"]), cell(row["colour right"]), cell(row["kind right"]),
             cell(row["image→text"]), cell(row["text→image"])) for name, row in data["results"].items()]
    write_report("clip", "Lesson 07: dual encoders trained in the notebook (full mode)",
                 ("measurement", "value", "chance", "colour right", "kind right", "image→text", "text→image"), rows,
                 f"Scenes: {data['train_scenes']:,} training scenes of 32 x 32 pixels, {data['scene_steps']} steps of "
                 f"128 pairs, logit scale at most {data['scale_max']:.1f} and finally {data['scale']:.1f} (the cap, applied after "
                 f"each step, is 100; no weight decay on it), {data['row_scale']:.1f} with the image→text loss only; "
                 f"retrieval uses {data['pairs']} pairs, one per picture ({data['repeats']} pictures would appear twice, under both "
                 "phrasings, with merely distinct captions), and its value column is the mean of the two directions. Whole notebook, top to bottom on the CPU: "
                 f"{data['notebook_seconds']:.0f} s.")


if __name__ == "__main__":
    main()
